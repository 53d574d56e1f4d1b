"""The frame every page calls first: page config, title, intro, and the shared data sidebar.

    dataset = frame("Training", "Watch a network learn ...")   # -> nnlab.data.Dataset

The sidebar's choices (a `DataChoice`) live in st.session_state under a plain key, because
Streamlit drops a widget's own state on any page that does not draw it; they are copied into
the widgets before drawing and back in the widgets' on_change. They are mirrored in the URL, so
a link reproduces the view; a link is read once, when a session starts, and a bad value in it
falls back to the default with a warning.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, fields, replace

import streamlit as st

from nnlab import data

CHOICE_KEY = "nnlab.choice"  # the current DataChoice
CSV_KEY = "nnlab.csv"  # the uploaded CsvFile, kept across pages
LINK_PROBLEMS_KEY = "nnlab.link_problems"  # warnings about the first URL, shown once
WIDGET_PREFIX = "_nnlab."  # widget keys: copies of CHOICE_KEY's fields, dropped on page switch
FRAME_KEY = "nnlab-frame"  # the sidebar container (CSS class st-key-nnlab-frame)
MAX_SEED = 2**32 - 1  # what train_test_split's random_state accepts
SCALED_SOURCES = ("diabetes", "csv")  # the synthetic sets ignore feature scaling

SOURCE_LABELS = {"diabetes": "Diabetes progression", "sine": "Noisy sine wave",
                 "surface": "2-D surface", "csv": "Your own CSV"}  # short: the sidebar is narrow
SCALING_LABELS = {"sklearn": "scikit-learn's (std ≈ 0.048)", "raw": "raw units",
                  "standardized": "standardized (std 1)"}
TARGET_LABELS = {"none": "none (original units)", "standardize": "standardize (mean 0, std 1)"}


@dataclass(frozen=True)
class DataChoice:
    """The sidebar's choices; frozen, so it can key a cache.

    Defaults: the tutorial's data as scikit-learn ships it, with the target standardized. With a
    raw target (~150 ± 77) the default 64-32 ReLU network at lr 0.01 kills its ReLUs and ends at
    R² 0; standardized, the same run reaches test R² ≈ 0.48.
    """

    source: str = "diabetes"
    scaling: str = "sklearn"
    target_scaling: str = "standardize"
    split_seed: int = 42
    target: str | None = None  # the CSV's target column; None is its last column


@dataclass(frozen=True)
class CsvFile:
    """An uploaded CSV, kept in session state so it survives page switches."""

    name: str
    content: bytes
    digest: str  # sha256 of content: the cache key, so 50 MB are not re-hashed every run


# URL parameter of each DataChoice field.
QUERY_NAMES = {"source": "source", "scaling": "scaling", "target_scaling": "target_scaling",
               "split_seed": "seed", "target": "target"}
_TABLES = {"source": data.SOURCES, "scaling": data.FEATURE_SCALINGS,
           "target_scaling": data.TARGET_SCALINGS}


# --------------------------------------------------------------------------------------------
# Choices <-> URL (pure functions)


def choice_from_query(params) -> tuple[DataChoice, list[str]]:
    """Query params {name: str | [str]} -> (DataChoice, warnings about values left at default)."""
    default, values, problems = DataChoice(), {}, []
    for field, name in QUERY_NAMES.items():
        raw = params.get(name)
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else None  # a repeated key: the last one wins, as in st.query_params
        if raw is None:
            continue
        value, why = _parse_query_value(field, str(raw))
        if why is None:
            values[field] = value
        else:
            fallback = getattr(default, field)
            problems.append(f"The link's `{name}={raw}` was ignored: {why}. "
                            f"Using the default, `{fallback}`.")
    return replace(default, **values), problems


def _parse_query_value(field: str, raw: str):
    """(value, None) if raw is valid for field, else (None, why not)."""
    if field in _TABLES:
        table = _TABLES[field]
        return (raw, None) if raw in table else (None, f"choose one of {', '.join(table)}")
    if field == "split_seed":
        if raw.strip().isdigit() and int(raw) <= MAX_SEED:
            return int(raw), None
        return None, f"the seed must be a whole number from 0 to {MAX_SEED}"
    return (raw, None) if raw.strip() else (None, "the target column name is empty")


def choice_to_query(choice: DataChoice) -> dict[str, str]:
    """DataChoice -> the query params that reproduce it (target only for a CSV)."""
    params = {QUERY_NAMES[f.name]: str(getattr(choice, f.name)) for f in fields(choice)
              if f.name != "target"}
    if choice.source == "csv" and choice.target is not None:
        params[QUERY_NAMES["target"]] = choice.target
    return params


# --------------------------------------------------------------------------------------------
# Session state


def current_choice() -> DataChoice:
    """The session's DataChoice; on a session's first run, read from the URL."""
    if CHOICE_KEY not in st.session_state:
        choice, problems = choice_from_query(st.query_params.to_dict())
        st.session_state[CHOICE_KEY] = choice
        st.session_state[LINK_PROBLEMS_KEY] = problems
    return st.session_state[CHOICE_KEY]


def set_choice(**changes) -> DataChoice:
    """Change some of the session's choices (e.g. from a page's own button); returns the new one."""
    st.session_state[CHOICE_KEY] = replace(current_choice(), **changes)
    return st.session_state[CHOICE_KEY]


def uploaded_csv() -> CsvFile | None:
    """The CSV uploaded in this session, or None."""
    return st.session_state.get(CSV_KEY)


def _store(field: str) -> None:
    """on_change: copy a widget's value to the choice, which outlives the widget."""
    set_choice(**{field: st.session_state[WIDGET_PREFIX + field]})


def _store_csv() -> None:
    """on_change of the uploader: keep the new file, or forget it when the user removed it."""
    upload = st.session_state.get(WIDGET_PREFIX + "csv")
    if upload is None:
        st.session_state.pop(CSV_KEY, None)
        return
    content = upload.getvalue()
    st.session_state[CSV_KEY] = CsvFile(upload.name, content, hashlib.sha256(content).hexdigest())
    # The target column is kept if the new file has it (e.g. from a link); else its last column.


def _mirror_query(choice: DataChoice) -> None:
    """Write the choice into the URL, touching only our own parameters, and only on change."""
    wanted = choice_to_query(choice)
    for name in QUERY_NAMES.values():
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


# --------------------------------------------------------------------------------------------
# Datasets


# The cached functions return (value, None) or (None, DataError message): st.cache_data does not
# keep exceptions, and a bad 50 MB file should be parsed once, not on every rerun.


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_dataset(choice: DataChoice, csv_name: str | None, csv_digest: str | None,
                    _csv_content: bytes | None) -> tuple[data.Dataset | None, str | None]:
    csv = None
    if _csv_content is not None:
        csv = io.BytesIO(_csv_content)
        csv.name = csv_name  # make_dataset names the dataset after the file
    try:
        return data.make_dataset(choice.source, choice.scaling, choice.target_scaling,
                                 split_seed=choice.split_seed, csv=csv, target=choice.target), None
    except data.DataError as exc:
        return None, str(exc)


@st.cache_data(max_entries=8, show_spinner=False)
def _cached_columns(csv_digest: str, _csv_content: bytes) -> tuple[list[str] | None, str | None]:
    try:
        X, y = data.read_csv(_csv_content)
    except data.DataError as exc:
        return None, str(exc)
    return [*X.columns, y.name], None


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


def csv_columns(csv: CsvFile) -> list[str]:
    """The numeric columns of an uploaded CSV, any of which can be the target (raises DataError)."""
    return _value_or_raise(_cached_columns(csv.digest, csv.content))


def _dataset_or_fallback(choice: DataChoice) -> data.Dataset:
    """The chosen dataset; when it cannot be built, say why and show the diabetes data instead."""
    csv = uploaded_csv()
    if choice.source == "csv" and csv is None:
        st.info("Upload a CSV file in the sidebar to train on your own data. "
                "Until then this page shows the diabetes data.", icon="📄")
        return load_dataset(replace(choice, source="diabetes"))
    try:
        return load_dataset(choice, csv)
    except data.DataError as exc:
        show_error(exc, f"Cannot use {csv.name}" if choice.source == "csv" and csv else
                   "Cannot build this dataset")
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
    st.markdown(f"<div style='font-size:1.08rem;max-width:58rem;margin-bottom:0.5rem'>\n\n"
                f"{text}\n\n</div>", unsafe_allow_html=True)


def _selectbox(field: str, label: str, options, labels=None, **kwargs):
    key = WIDGET_PREFIX + field
    st.session_state[key] = getattr(current_choice(), field)
    return st.selectbox(label, list(options), key=key, on_change=_store, args=(field,),
                        format_func=(lambda o: (labels or {}).get(o, o)), **kwargs)


def _csv_controls(choice: DataChoice) -> None:
    """The uploader and, once a readable file is in, its target column."""
    st.file_uploader("CSV file", type=["csv", "tsv", "txt"], key=WIDGET_PREFIX + "csv",
                     on_change=_store_csv,
                     help="A header row, then one row per example; numbers only in the columns "
                          "you use (comma, semicolon or tab separated, UTF-8).")
    csv = uploaded_csv()
    if csv is None:
        return
    st.caption(f"Using **{csv.name}** ({len(csv.content) / 1024:,.1f} KB). "
               "Upload another file to replace it.")
    try:
        columns = csv_columns(csv)
    except data.DataError:
        return  # the page shows the error where the dataset is built
    if choice.target not in columns:
        choice = set_choice(target=columns[-1])
    _selectbox("target", "Target column (what to predict)", columns)


def navigation() -> None:
    """Sidebar links to every page, drawn only when config hides Streamlit's own page list.

    Streamlit names the home page after its file ("app"); with `client.showSidebarNavigation =
    false` in .streamlit/config.toml this list replaces it and calls it "Home".
    """
    if st.get_option("client.showSidebarNavigation"):
        return
    from .home import page_catalogue  # here: home imports the trainer, which a page may not need

    with st.sidebar.container(key="nnlab-nav"):
        st.page_link("app.py", label="Home", icon=":material/home:")
        for page in page_catalogue():
            st.page_link(page.path, label=page.label, icon=":material/school:")
        st.divider()


def data_sidebar() -> DataChoice:
    """Draw the shared data controls in the sidebar; return the (possibly just changed) choice."""
    choice = current_choice()
    with st.sidebar.container(key=FRAME_KEY):
        st.subheader("Data")
        _selectbox("source", "Dataset", data.SOURCES, SOURCE_LABELS,
                   help=_table_help(data.SOURCES))
        if choice.source == "csv":
            _csv_controls(choice)
        scaled = choice.source in SCALED_SOURCES
        _selectbox("scaling", "Feature scaling", data.FEATURE_SCALINGS, SCALING_LABELS,
                   disabled=not scaled, help=_table_help(data.FEATURE_SCALINGS) if scaled else
                   "The synthetic sets are already on a unit scale; feature scaling does not apply.")
        _selectbox("target_scaling", "Target scaling", data.TARGET_SCALINGS, TARGET_LABELS,
                   help=_table_help(data.TARGET_SCALINGS))
        key = WIDGET_PREFIX + "split_seed"
        st.session_state[key] = current_choice().split_seed
        st.number_input("Train/test split seed", min_value=0, max_value=MAX_SEED, step=1,
                        key=key, on_change=_store, args=("split_seed",),
                        help="Which 80 % of the rows are used for training. 42 is the tutorial's split.")
    return current_choice()


def _table_help(table: dict) -> str:
    return "\n".join(f"- **{name}**: {text}" for name, text in table.items())


def _dataset_summary(dataset: data.Dataset) -> None:
    n_features = len(dataset.feature_names)
    st.caption(f"**{dataset.name}**: {len(dataset.y_train)} training rows, "
               f"{len(dataset.y_test)} test rows, {n_features} feature{'s' * (n_features != 1)}, "
               f"predicting *{dataset.target_name}*.")
    if dataset.target_std != 1.0 or dataset.target_mean != 0.0:
        st.caption(f"Target standardized with the training rows' mean {dataset.target_mean:.4g} "
                   f"and std {dataset.target_std:.4g}.")
    if dataset.notes:
        with st.expander("Notes on this data"):
            st.markdown("\n".join(f"- {note}" for note in dataset.notes))


def frame(title: str, intro: str | None = None, *, icon: str | None = None,
          page_config: bool = True) -> data.Dataset:
    """Draw the page's title, intro and data sidebar; return the chosen `nnlab.data.Dataset`.

    Never raises for bad data: a CSV that cannot be read shows its error and the page gets the
    diabetes data. page_config=False leaves st.set_page_config to the caller.
    """
    if page_config:
        st.set_page_config(page_title=f"{title} · nnlab", page_icon=icon, layout="wide")
    navigation()
    choice = data_sidebar()
    st.title(title)
    if intro:
        page_intro(intro)
    for problem in st.session_state.pop(LINK_PROBLEMS_KEY, []):
        st.warning(problem, icon="🔗")
    dataset = _dataset_or_fallback(choice)
    _mirror_query(choice)
    with st.sidebar.container(key=FRAME_KEY + "-summary"):
        _dataset_summary(dataset)
    return dataset
