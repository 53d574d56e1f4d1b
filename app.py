"""nnlab home: what the app is, what each page teaches, and one live chart."""

import streamlit as st

from nnlab import explain
from ui.diagnosis import presets
from ui.frame import data_params, frame
from ui.home import RATES, learning_rate_figure, learning_rate_runs, page_catalogue

st.set_page_config(page_title="nnlab", page_icon="🧠", layout="wide")
frame(
    "nnlab: watch a neural network learn",
    "nnlab trains small neural networks, written from scratch in NumPy, on scikit-learn's "
    "diabetes data (or a CSV of your own) and shows what happens inside while they learn: the "
    "loss, the gradients, the weights. Each page is one lesson; the data you pick in the "
    "sidebar follows you from page to page, and the address bar always holds a link that "
    "reproduces what you see.",
    page_config=False,
)

lessons, chart = st.columns([2, 3], gap="large")
with lessons:
    st.subheader("The lessons")
    pages = page_catalogue()
    for page in pages:
        st.page_link(page.path, label=page.label, icon=":material/school:", query_params=data_params())
        if page.teaches:
            st.caption(page.teaches)
    if not pages:
        st.caption("No lesson pages yet: add a file to pages/ and it appears here.")
    presets()

with chart:
    st.subheader("Try it first: how big a step?")
    runs = learning_rate_runs()
    st.plotly_chart(learning_rate_figure(runs), width="stretch", key="home-learning-rate")
    st.markdown(explain.home_story(*RATES, runs["bound"]))
