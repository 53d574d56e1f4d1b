"""The training runner (ui.training) in AppTest: the session's run store, errors, progress and Stop."""

from __future__ import annotations

import pytest

from ui import training as ui_training


def trainer_script():
    """A minimal page: train what session state says, print what came back."""
    import streamlit as st

    from ui.frame import DataChoice, load_dataset
    from ui.training import train_model

    dataset = load_dataset(DataChoice(target_scaling=st.session_state.get("target_scaling", "standardize")))
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


@pytest.mark.parametrize("params, word", [({"lr": -1.0}, "lr"), ({"hidden": (0,)}, "hidden"), ({"speed": 3}, "speed")])
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
