"""The Streamlit layer of nnlab: the shared page frame, the training runner, home-page helpers.

nnlab itself never imports streamlit; everything that does lives here or in the pages.
"""
