"""The frame every page calls first: page config, title, intro, and the shared data sidebar.

    dataset = frame("Training", "Watch a network learn ...")   # -> nnlab.data.Dataset

The sidebar's widgets are bound to the URL (ui.state), so a link reproduces the data choice and
the choice follows the learner from page to page; a bad value in a link falls back to the
default with a warning.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace

import streamlit as st

from nnlab import data, explain

from . import state, workers

CSV_KEY = "nnlab.csv"  # the uploaded CsvFile: an uploader's file is dropped on page switch
UPLOADER_KEY = "_nnlab.csv"
FRAME_KEY = "nnlab-frame"  # the sidebar container (CSS class st-key-nnlab-frame)
MAX_SEED = 2**32 - 1  # what train_test_split's random_state accepts
SCALED_SOURCES = ("diabetes", "csv")  # the synthetic sets ignore feature scaling

SOURCE_LABELS = {
    "diabetes": "Diabetes progression",
    "sine": "Noisy sine wave",
    "surface": "2-D surface",
    "csv": "Your own CSV",
}  # in the help: the options show their URL names
SCALING_LABELS = {"sklearn": "scikit-learn's (std ≈ 0.048)", "raw": "raw units", "standardized": "standardized (std 1)"}
TARGET_LABELS = {"none": "none (original units)", "standardize": "standardize (mean 0, std 1)"}


@dataclass(frozen=True)
class DataChoice:
    """The sidebar's choices; frozen, so it can key a cache.

    Defaults: the tutorial's data as scikit-learn ships it, with the target standardized. With a
    raw target (~150 ± 77) the default 64-32 ReLU network at lr 0.01 kills its ReLUs and ends at
    R² 0; standardized, the same run reaches test R² ≈ 0.48.
    """

    source: str = "diabetes"
    scaling: str = "sklearn"  # the source's own default: data.default_scaling decides, for the sidebar too
    target_scaling: str = "standardize"
    split_seed: int = 42
    target: str | None = None  # the CSV's target column; None is the reader's guess (the last usable)
    drop_missing: bool = False  # a CSV's rows with missing cells: refused (with a count) unless dropped


@dataclass(frozen=True)
class CsvFile:
    """An uploaded CSV, kept in session state so it survives page switches."""

    name: str
    content: bytes
    digest: str  # sha256 of content: the cache key, so 50 MB are not re-hashed every run


# The URL name (and widget key) of each DataChoice field.
KEYS = {
    "source": "source",
    "scaling": "scaling",
    "target_scaling": "target_scaling",
    "split_seed": "seed",
    "target": "target",
    "drop_missing": "drop_missing",
}
_DEFAULT = DataChoice()
LINK_CHECKS = {
    "source": state.choice(_DEFAULT.source, data.SOURCES),
    "scaling": state.choice(_DEFAULT.scaling, data.FEATURE_SCALINGS),
    "target_scaling": state.choice(_DEFAULT.target_scaling, data.TARGET_SCALINGS),
    "seed": state.whole(_DEFAULT.split_seed, 0, MAX_SEED),
}


def current_choice() -> DataChoice:
    """The sidebar's choices as its widgets hold them (the defaults before they are drawn)."""
    default = DataChoice()
    values = {field: st.session_state.get(key, getattr(default, field)) for field, key in KEYS.items()}
    if KEYS["scaling"] not in st.session_state:
        values["scaling"] = sidebar_scaling(values["source"])
    if values["source"] != "csv":
        values["target"], values["drop_missing"] = None, False
    return DataChoice(**values)


def sidebar_scaling(source: str) -> str:
    """The scaling the sidebar starts a source from: nnlab.data's default for the sets it applies to."""
    return data.default_scaling(source) if source in SCALED_SOURCES else _DEFAULT.scaling


def _source_changed() -> None:
    """on_change of the dataset picker: a source that can be scaled starts from its own default."""
    source = st.session_state[KEYS["source"]]
    if source in SCALED_SOURCES:
        st.session_state[KEYS["scaling"]] = sidebar_scaling(source)


def uploaded_csv() -> CsvFile | None:
    """The CSV uploaded in this session, or None."""
    return st.session_state.get(CSV_KEY)


def _store_csv() -> None:
    """on_change of the uploader: keep the new file, or forget it when the user removed it."""
    upload = st.session_state.get(UPLOADER_KEY)
    if upload is None:
        st.session_state.pop(CSV_KEY, None)
        return
    content = upload.getvalue()
    st.session_state[CSV_KEY] = CsvFile(upload.name, content, hashlib.sha256(content).hexdigest())


# --------------------------------------------------------------------------------------------
# Datasets


# The cached functions return (value, None) or (None, DataError message): st.cache_data does not
# keep exceptions, and a bad 50 MB file should be parsed once, not on every rerun.


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_dataset(
    choice: DataChoice, csv_name: str | None, csv_digest: str | None, _csv_content: bytes | None
) -> tuple[data.Dataset | None, str | None]:
    csv = None
    if _csv_content is not None:
        csv = io.BytesIO(_csv_content)
        csv.name = csv_name  # make_dataset names the dataset after the file
    try:
        return data.make_dataset(
            choice.source,
            choice.scaling,
            choice.target_scaling,
            split_seed=choice.split_seed,
            csv=csv,
            target=choice.target,
            drop_missing=choice.drop_missing,
        ), None
    except data.DataError as exc:
        return None, str(exc)


@st.cache_data(max_entries=8, show_spinner=False)
def _cached_columns(csv_digest: str, _csv_content: bytes) -> tuple[data.CsvColumns | None, str | None]:
    try:
        return data.csv_columns(_csv_content), None
    except data.DataError as exc:
        return None, str(exc)


def _value_or_raise(result: tuple):
    value, error = result
    if error is not None:
        raise data.DataError(error)
    return value


def load_dataset(choice: DataChoice, csv: CsvFile | None = None) -> data.Dataset:
    """The Dataset for a choice (cached; raises DataError). A copy: edit it freely."""
    if choice.source != "csv":
        csv, choice = None, replace(choice, target=None)  # a stale target must not split the cache
    if csv is None:
        return _value_or_raise(_cached_dataset(choice, None, None, None))
    return _value_or_raise(_cached_dataset(choice, csv.name, csv.digest, csv.content))


def csv_columns(csv: CsvFile) -> data.CsvColumns:
    """An uploaded CSV's columns, those that can be the target and the reader's guess (raises DataError)."""
    return _value_or_raise(_cached_columns(csv.digest, csv.content))


def _dataset_or_fallback(choice: DataChoice) -> data.Dataset:
    """The chosen dataset; when it cannot be built, say why and show the diabetes data instead."""
    csv = uploaded_csv()
    if choice.source == "csv" and csv is None:
        st.info(
            "Upload a CSV file in the sidebar to train on your own data. Until then this page shows the diabetes data.",
            icon="📄",
        )
        return load_dataset(replace(choice, source="diabetes"))
    try:
        return load_dataset(choice, csv)
    except data.DataError as exc:
        show_error(exc, f"Cannot use {csv.name}" if choice.source == "csv" and csv else "Cannot build this dataset")
    st.caption("Showing the diabetes data instead; your other choices are kept.")
    try:
        return load_dataset(replace(choice, source="diabetes"))
    except data.DataError:  # only if a choice itself is bad, e.g. set in code
        return load_dataset(DataChoice())


# --------------------------------------------------------------------------------------------
# Rendering


def show_error(exc: BaseException, context: str | None = None) -> None:
    """An error box with the exception's message (written for the learner), never a traceback."""
    message = str(exc) or type(exc).__name__
    st.error(f"**{context}:** {message}" if context else message, icon="🚫")


def page_intro(text: str) -> None:
    """A page's opening paragraph: what it shows and what to try."""
    st.markdown(
        f"<div style='font-size:1.08rem;max-width:58rem;margin-bottom:0.5rem'>\n\n{text}\n\n</div>",
        unsafe_allow_html=True,
    )


def _selectbox(field: str, label: str, options, **kwargs):
    """A bound selectbox showing the options' own names: a bound widget's URL holds what it shows."""
    options = list(options)
    if "index" not in kwargs:
        kwargs["index"] = options.index(getattr(_DEFAULT, field))
    return st.selectbox(label, options, key=KEYS[field], **state.BOUND, **kwargs)


def _csv_controls() -> None:
    """The uploader and, once a readable file is in, its target column (the last one unless chosen)."""
    st.file_uploader(
        "CSV file",
        type=["csv", "tsv", "txt"],
        key=UPLOADER_KEY,
        on_change=_store_csv,
        help="A header row, then one row per example; numbers only in the columns "
        "you use (comma, semicolon or tab separated, UTF-8).",
    )
    csv = uploaded_csv()
    if csv is None:
        return
    st.caption(explain.csv_caption(csv.name, len(csv.content)))
    try:
        columns = csv_columns(csv)
    except data.DataError:
        return  # the page shows the error where the dataset is built
    if not columns.usable_targets:
        st.error(explain.no_target(csv.name), icon="🚫")
        return
    # Shown even when the last column is unusable: the guess is only a guess, so the learner must
    # always be able to pick another.
    target = _selectbox(
        "target",
        "Target column (what to predict)",
        columns.usable_targets,
        index=columns.usable_targets.index(columns.default_target),
    )
    st.caption(explain.target_guess(target, columns))
    st.checkbox(
        "Drop rows with missing cells",
        key=KEYS["drop_missing"],
        help="Without this, a file with empty or missing cells is refused with a count of them.",
    )


def data_params() -> dict[str, str]:
    """The URL parameters of the sidebar's choices that differ from the defaults.

    Page links carry them, so a lesson opened from a link (in a new tab, say) shows the same data.
    """
    choice, params = current_choice(), {}
    defaults = replace(_DEFAULT, scaling=sidebar_scaling(choice.source))
    for field, key in KEYS.items():
        value = getattr(choice, field)
        if field != "drop_missing" and value is not None and value != getattr(defaults, field):
            params[key] = str(value)
    return params


def navigation(where) -> None:
    """Links to every page in `where` (a sidebar container drawn first), drawn only when config
    hides Streamlit's own page list; call it after the data sidebar, so the links carry its choices.

    Streamlit names the home page after its file ("app"); with `client.showSidebarNavigation =
    false` in .streamlit/config.toml this list replaces it and calls it "Home".
    """
    if st.get_option("client.showSidebarNavigation"):
        return
    from .home import page_catalogue  # here: home imports the trainer, which a page may not need

    params = data_params()
    with where:
        st.page_link("app.py", label="Home", icon=":material/home:", query_params=params)
        for page in page_catalogue():
            st.page_link(page.path, label=page.label, icon=":material/school:", query_params=params)
        st.divider()


def data_sidebar() -> DataChoice:
    """Draw the shared data controls in the sidebar; return the choice they hold."""
    with st.sidebar.container(key=FRAME_KEY):
        st.subheader("Data")
        source = _selectbox(
            "source", "Dataset", data.SOURCES, on_change=_source_changed, help=_table_help(data.SOURCES, SOURCE_LABELS)
        )
        if source == "csv":
            _csv_controls()
        scaled = source in SCALED_SOURCES
        _selectbox(
            "scaling",
            "Feature scaling",
            data.FEATURE_SCALINGS,
            index=list(data.FEATURE_SCALINGS).index(sidebar_scaling(source)),
            disabled=not scaled,
            help=_table_help(data.FEATURE_SCALINGS, SCALING_LABELS)
            if scaled
            else "The synthetic sets are already on a unit scale; feature scaling does not apply.",
        )
        _selectbox(
            "target_scaling",
            "Target scaling",
            data.TARGET_SCALINGS,
            help=_table_help(data.TARGET_SCALINGS, TARGET_LABELS),
        )
        st.number_input(
            "Train/test split seed",
            min_value=0,
            max_value=MAX_SEED,
            value=_DEFAULT.split_seed,
            step=1,
            key=KEYS["split_seed"],
            **state.BOUND,
            help="Which 80 % of the rows are used for training. 42 is the tutorial's split.",
        )
    return current_choice()


def _table_help(table: dict, labels: dict) -> str:
    return "\n".join(f"- **{name}** ({labels[name]}): {text}" for name, text in table.items())


def _dataset_summary(dataset: data.Dataset) -> None:
    st.caption(
        explain.dataset_summary(
            dataset.name, len(dataset.y_train), len(dataset.y_test), len(dataset.feature_names), dataset.target_name
        )
    )
    st.caption(explain.features_in_use(dataset.scaling_in_use))
    if dataset.target_std != 1.0 or dataset.target_mean != 0.0:
        st.caption(explain.target_scaling_note(dataset.target_mean, dataset.target_std))
    if dataset.notes:
        with st.expander("Notes on this data"):
            st.markdown("\n".join(f"- {note}" for note in dataset.notes))


def frame(title: str, intro: str | None = None, *, icon: str | None = None, page_config: bool = True) -> data.Dataset:
    """Draw the page's title, intro and data sidebar; return the chosen `nnlab.data.Dataset`.

    Never raises for bad data: a CSV that cannot be read shows its error and the page gets the
    diabetes data. page_config=False leaves st.set_page_config to the caller.
    """
    if page_config:
        st.set_page_config(page_title=f"{title} · nnlab", page_icon=icon, layout="wide")
    nav = st.sidebar.container(key="nnlab-nav")
    link = state.check_link(LINK_CHECKS)
    state.carry(LINK_CHECKS)
    choice = data_sidebar()
    state.keep(LINK_CHECKS)
    navigation(nav)
    st.title(title)
    if intro:
        page_intro(intro)
    state.settle_link(link)
    dataset = _dataset_or_fallback(choice)
    with st.sidebar.container(key=FRAME_KEY + "-summary"):
        _dataset_summary(dataset)
    workers.start_once()
    return dataset
