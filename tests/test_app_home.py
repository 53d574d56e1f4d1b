"""The home page, the shared frame (sidebar, URL, CSV upload) and the training runner, in AppTest."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ui import frame as ui_frame
from ui import training as ui_training
from ui.frame import KEYS, LINK_CHECKS, DataChoice

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "pages").glob("*.py"))
GOOD_CSV = ("height,weight,city,score\n" + "\n".join(
    f"{150 + i},{50 + (i * 7) % 30},{'Oslo' if i % 2 else 'Lima'},{i * 0.5 + (i % 3)}"
    for i in range(40))).encode()


def widget(at, field):
    """The sidebar widget that edits one DataChoice field."""
    return at.sidebar.selectbox(key=KEYS[field]) if field != "split_seed" \
        else at.sidebar.number_input(key=KEYS[field])


def choice(at):
    """The DataChoice the sidebar's widgets hold."""
    values = {field: at.session_state[key] for field, key in KEYS.items() if key in at.session_state}
    return DataChoice(**values)


# --------------------------------------------------------------------------------------------
# Home page


def test_home_runs_and_draws_the_learning_rate_chart(run_page, figure_data):
    at = run_page()
    assert not at.exception
    assert not at.error and not at.warning
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    figure = figure_data(charts[0])
    slow, fast, floor_line = figure["data"]
    assert [t["type"] for t in (slow, fast)] == ["scatter", "scatter"]
    assert "learning rate 0.01" in slow["name"] and "learning rate 0.9" in fast["name"]
    assert slow["y"].shape == fast["y"].shape == (1000,)
    # From w = 0, b = 0 the first MSE is mean(y²) of the 353 training rows (ERRATA 5).
    np.testing.assert_allclose([slow["y"][0], fast["y"][0]], 29711.3, rtol=1e-5)
    assert np.all(np.diff(slow["y"]) < 0), "at lr 0.01 the loss falls every epoch, slowly"
    assert fast["y"][-1] < 0.6 * slow["y"][-1]
    assert figure["layout"]["yaxis"]["type"] == "log"
    assert floor_line["name"].startswith("least squares")
    floor = floor_line["y"][0]  # least squares on the training rows
    assert floor_line["y"][1] == floor == pytest.approx(2868.55, rel=1e-4) and fast["y"][-1] < 1.02 * floor


def test_home_lists_every_page(run_page):
    at = run_page()
    assert len(at.main.get("page_link")) == len(PAGES)
    # .streamlit/config.toml hides Streamlit's own list, so the frame draws one, "Home" first.
    links = at.sidebar.get("page_link")
    assert len(links) == len(PAGES) + 1 and links[0].proto.label == "Home"


def test_frame_draws_its_own_navigation_when_streamlits_is_hidden(run_page):
    from streamlit import config

    name = "client.showSidebarNavigation"
    shown = config.get_option(name)
    config.set_option(name, False)
    try:
        at = run_page()
    finally:
        config.set_option(name, shown)
    assert not at.exception
    links = at.sidebar.get("page_link")
    assert len(links) == len(PAGES) + 1 and links[0].proto.label == "Home"


def test_learning_rate_runs_match_the_errata():
    from ui.home import learning_rate_runs

    runs = learning_rate_runs()
    slow, fast = runs["histories"][0.01], runs["histories"][0.9]
    # ERRATA 6: closed-form least squares reaches test R² 0.4526; lr 0.9 gets there in 1,000 epochs.
    assert fast.val_r2[-1] == pytest.approx(0.4526, abs=0.01)
    assert slow.val_r2[-1] < 0.2
    assert slow.diverged_at is None and fast.diverged_at is None
    assert runs["bound"] == pytest.approx(1.0, abs=0.01)  # ERRATA 3: lr 0.99 converges, 1.01 not


# --------------------------------------------------------------------------------------------
# Choices <-> URL


def test_the_link_checks_take_every_choice_and_reject_others():
    for field, check in LINK_CHECKS.items():
        table = {"source": ui_frame.data.SOURCES, "scaling": ui_frame.data.FEATURE_SCALINGS,
                 "target_scaling": ui_frame.data.TARGET_SCALINGS, "seed": ["0", "42", "4294967295"]}[field]
        assert all(check.why_not([str(value)]) is None for value in table)
        assert check.why_not(["bogus"]) is not None
    assert LINK_CHECKS["seed"].why_not(["4294967296"]) and LINK_CHECKS["seed"].why_not(["-1"])


def test_sidebar_choices_are_kept_in_session_state(run_page):
    """The URL side of this (bound widgets write it in the browser) is in tests/browser."""
    at = run_page()
    assert not at.query_params, "defaults stay out of the URL"
    widget(at, "source").set_value("sine").run()
    widget(at, "target_scaling").set_value("none").run()
    widget(at, "split_seed").set_value(7).run()
    assert not at.exception
    assert choice(at) == DataChoice("sine", "sklearn", "none", 7)
    assert widget(at, "scaling").disabled  # the synthetic sets have nothing to rescale
    assert "Noisy sine" in at.sidebar.caption[0].value


@pytest.mark.skipif(not PAGES, reason="no page in pages/ to switch to")
def test_choices_survive_a_page_switch(run_page):
    at = run_page()
    widget(at, "source").set_value("surface").run()
    widget(at, "split_seed").set_value(3).run()
    at.switch_page(PAGES[0].relative_to(ROOT).as_posix()).run()
    assert not at.exception
    assert widget(at, "source").value == "surface" and widget(at, "split_seed").value == 3


def test_a_link_sets_the_choices(run_page):
    at = run_page(query={"source": "surface", "scaling": "raw", "target_scaling": "none",
                         "seed": "5"})
    assert not at.exception and not at.warning
    assert [widget(at, f).value for f in ("source", "scaling", "target_scaling", "split_seed")] \
        == ["surface", "raw", "none", 5]


@pytest.mark.parametrize("name, value", [
    ("source", "mnist"), ("scaling", "minmax"), ("target_scaling", "log"), ("seed", "-1"),
    ("seed", "4.5"), ("seed", "99999999999"), ("seed", "forty-two"),
])
def test_a_bad_link_value_falls_back_with_a_warning(run_page, name, value):
    at = run_page(query={name: value, "target_scaling": "none"} if name != "target_scaling"
                  else {name: value})
    assert not at.exception
    assert len(at.warning) == 1
    assert f"{name}={value}" in at.warning[0].value
    if (name, value) == ("seed", "4.5"):  # Streamlit's number input reads it as 4, and says so
        assert "using `4`" in at.warning[0].value and at.query_params[name] == "4"
    else:
        assert name not in at.query_params  # the default, which a bound widget keeps out of the URL
    if name != "target_scaling":
        assert widget(at, "target_scaling").value == "none"  # the good value is kept
    at.run()
    assert not at.warning  # said once, not on every rerun


# --------------------------------------------------------------------------------------------
# CSV upload


def upload(at, name, content):
    widget(at, "source").set_value("csv").run()
    at.sidebar.file_uploader[0].set_value((name, content, "text/csv")).run()
    return at


def test_csv_source_without_a_file_shows_diabetes_and_says_so(run_page):
    at = run_page(query={"source": "csv"})
    assert not at.exception and not at.error
    assert "Upload a CSV" in at.info[0].value
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("content, message", [
    (b"a,b\n1,2\n", "at least 10"),
    (b"\x00\x01binary", "not a text csv"),
    (b"1,2\n3,4\n" * 10, "no header row"),
], ids=["too-short", "binary", "no-header"])
def test_a_bad_csv_shows_its_error_and_keeps_everything_else(run_page, content, message):
    at = run_page(query={"seed": "9", "target_scaling": "none"})
    upload(at, "bad.csv", content)
    assert not at.exception
    assert len(at.error) == 1
    assert message in at.error[0].value.lower() and "bad.csv" in at.error[0].value
    assert len(at.get("plotly_chart")) == 1  # the page still works, on the diabetes data
    assert choice(at) == DataChoice("csv", "sklearn", "none", 9, target=choice(at).target)


def test_a_good_csv_is_used_and_its_target_can_be_chosen(run_page):
    at = upload(run_page(), "people.csv", GOOD_CSV)
    assert not at.exception and not at.error
    target = widget(at, "target")
    assert target.options == ["height", "weight", "score"]  # 'city' is text: dropped
    assert target.value == "score"  # the last column
    assert "CSV: people.csv" in " ".join(c.value for c in at.sidebar.caption)
    target.set_value("weight").run()
    dataset = ui_frame.load_dataset(choice(at),
                                    at.session_state[ui_frame.CSV_KEY])
    assert dataset.target_name == "weight" and dataset.feature_names == ("height", "score")


# --------------------------------------------------------------------------------------------
# The training runner


def trainer_script():
    """A minimal page: train what session state says, print what came back."""
    import streamlit as st

    from ui.frame import load_dataset, DataChoice
    from ui.training import train_model

    dataset = load_dataset(DataChoice(target_scaling=st.session_state.get("target_scaling",
                                                                           "standardize")))
    model = train_model(st.session_state["params"], dataset, page="t")
    st.session_state["model_id"] = None if model is None else id(model)
    if model is not None:
        st.write(f"epochs={len(model.history_.loss)}")


def trainer(params, **state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(trainer_script, default_timeout=60)
    at.session_state["params"] = params
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_train_runs_once_then_comes_from_the_session_store():
    at = trainer({"hidden": (8,), "epochs": 50})
    assert not at.exception and not at.error and not at.warning
    assert at.markdown[0].value == "epochs=50"
    first = at.session_state["model_id"]
    at.run()
    assert at.session_state["model_id"] == first
    assert len(at.session_state[ui_training.STORE_KEY].finished) == 1
    other = trainer({"hidden": (8,), "epochs": 50})  # another session: its own store
    assert other.session_state["model_id"] != first


def test_a_diverging_run_is_a_warning_not_a_traceback():
    at = trainer({"hidden": (), "lr": 5.0, "epochs": 100}, target_scaling="none")
    assert not at.exception and not at.error
    assert len(at.warning) == 1 and "diverged at epoch" in at.warning[0].value


@pytest.mark.parametrize("params, word", [({"lr": -1.0}, "lr"), ({"hidden": (0,)}, "hidden"),
                                          ({"speed": 3}, "speed")])
def test_bad_settings_are_an_error(params, word):
    at = trainer(params)
    assert not at.exception
    assert len(at.error) == 1 and word in at.error[0].value
    assert at.session_state["model_id"] is None


def test_the_progress_bar_is_redrawn_at_most_20_times_a_second(monkeypatch):
    from streamlit.delta_generator import DeltaGenerator

    draws = []
    real_progress = DeltaGenerator.progress

    def progress(self, value, text=None):
        draws.append(text)
        return real_progress(self, value, text=text)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    at = trainer({"hidden": (16,), "epochs": 3000})
    assert not at.exception
    seconds = at.session_state[ui_training.STORE_KEY].latest["t"].model.history_.seconds
    assert 1 <= len(draws) <= 20 * seconds + 2
    assert draws[0].startswith("Epoch 1 of 3,000 · training loss ")


def test_a_stopped_run_keeps_its_partial_model(monkeypatch):
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    draws = []
    real_progress = DeltaGenerator.progress

    def progress(self, value, text=None):  # the Stop click lands on the third redraw
        draws.append(value)
        if len(draws) == 3:
            raise StopException()
        return real_progress(self, value, text=text)

    monkeypatch.setattr(ui_training, "UPDATE_SECONDS", 0.0)
    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    at = trainer({"hidden": (8,), "epochs": 500})
    assert not at.exception
    store = at.session_state[ui_training.STORE_KEY]
    stopped = store.latest["t"]
    assert stopped.stopped and stopped.model.history_.stopped_at == 2
    assert len(stopped.model.history_.loss) == 3
    assert not store.finished  # a partial run is not served as the finished one
    assert store.done["t"].is_set()

    monkeypatch.setattr(DeltaGenerator, "progress", real_progress)
    at.run()  # the rerun after Stop shows the partial run instead of starting again
    assert "stopped after epoch 3" in at.info[0].value
    assert at.markdown[0].value == "epochs=3"
    at.button(key="t.again").click().run()
    assert at.markdown[0].value == "epochs=500"
