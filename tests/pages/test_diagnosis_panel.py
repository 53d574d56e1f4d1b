"""The training doctor in the app (AppTest): the Diagnosis panel on each page, Try this fix, the compare
page's verdict map, and the presets a teacher hands out as links to the deep page."""

from __future__ import annotations

import pytest

from nnlab import doctor
from ui.diagnosis import preset_link, preset_query

DEEP = "Deep_network"


def cards(at):
    """The titles of the finding cards on the page, in order ('**Dead units**' -> 'Dead units')."""
    return [m.value.split("**")[1] for m in at.markdown if "-badge[" in m.value and "healthy]" not in m.value]


def healthy_lines(at):
    return [m.value for m in at.markdown if "healthy]" in m.value]


def fix_button(at, kind, panel="deep-diagnosis"):
    return at.button(key=f"{panel}.fix.{kind}")


def test_deep_default_run_is_healthy_in_one_line(run_page):
    at = run_page(DEEP)
    assert not at.exception
    assert cards(at) == []
    [line] = healthy_lines(at)
    assert "Healthy: the training loss fell from" in line and "test R²" in line


@pytest.mark.parametrize("name", list(doctor.PRESETS))
def test_each_preset_link_opens_the_deep_page_with_its_config_and_shows_its_finding(run_page, name):
    preset = doctor.PRESETS[name]
    at = run_page(DEEP, query=preset_query(name))
    assert not at.exception
    params = preset.params
    assert at.text_input(key="deep.hidden").value == ", ".join(map(str, params["hidden"]))
    assert at.selectbox(key="deep.activation").value == params["activation"]
    assert at.selectbox(key="deep.init").value == params["init"]
    assert at.selectbox(key="deep.optimizer").value == params["optimizer"]
    assert at.number_input(key="deep.lr").value == params["lr"]
    assert at.number_input(key="deep.epochs").value == params["epochs"]
    assert doctor.RULES[preset.shows].title in cards(at)
    assert preset_link(name).startswith(f"{DEEP}?deep.hidden=")
    assert any(preset_link(name) in m.value for m in at.markdown), "the presets expander links to it"


def test_try_this_fix_overlays_before_and_after_and_says_what_changed(run_page, charts):
    at = run_page(DEEP, query=preset_query("kill the ReLUs"))
    assert "Dead units" in cards(at)
    at = fix_button(at, "dead_units").click().run()
    assert not at.exception
    figures = charts(at)
    assert {"deep-diagnosis-fix-loss", "deep-diagnosis-fix-r2"} <= set(figures)
    names = {t["name"] for t in figures["deep-diagnosis-fix-loss"]["data"]}
    assert {"before", "after"} <= {n.split(" ")[0] for n in names}
    [outcome] = [m.value for m in at.markdown if m.value.startswith("Gone:")]
    assert "dead units" in outcome and "Test R²" in outcome
    assert any("Tried: activation relu → leaky_relu" in m.value for m in at.markdown)
    [after] = [c.value for c in at.caption if c.value.startswith("After the fix:")]
    assert "dead units" not in after
    at = at.run()  # the open fix survives a rerun
    assert "deep-diagnosis-fix-loss" in charts(at)
    at = at.button(key="deep-diagnosis.fix.close").click().run()
    assert "deep-diagnosis-fix-loss" not in charts(at)


def test_a_fix_that_cures_the_run(run_page):
    at = run_page(DEEP, query=preset_query("zero init symmetry"))
    at = fix_button(at, "symmetric_units").click().run()
    assert not at.exception
    [after] = [c.value for c in at.caption if c.value.startswith("After the fix:")]
    assert after.startswith("After the fix: Healthy")
    [outcome] = [m.value for m in at.markdown if m.value.startswith("Gone:")]
    assert "symmetric units" in outcome and "Still there" not in outcome


def test_the_evidence_is_marked_on_the_charts(run_page, charts):
    at = run_page(DEEP, query=preset_query("overfit"))
    loss = charts(at)["deep-loss"]
    assert [s["type"] for s in loss["layout"]["shapes"]] == ["rect"]  # overfitting: from the best epoch on
    at = run_page(DEEP, query=preset_query("kill the ReLUs"))
    assert "deep-diagnosis-evidence-dead_units" in charts(at)  # the dead share, drawn in its card


def test_deep_page_sharpness_against_the_edge(new_page, charts):
    at = new_page(DEEP).run()
    at.session_state["deep.view"] = "Layer by layer"
    at = at.run()
    fig = charts(at)["deep-sharpness"]
    assert [t["name"] for t in fig["data"]] == ["sharpness λ_max", "edge 2/lr"]
    assert len(fig["data"][0]["x"]) == 30  # every 10 epochs of 300


# -- linear gradient descent ------------------------------------------------------------------------

LINEAR = "Linear_gradient_descent"


def test_linear_healthy_rate_says_healthy(run_page):
    at = run_page(LINEAR, query={"linear-gd.lr": "0.5"})
    assert not at.exception and cards(at) == []
    assert len(healthy_lines(at)) == 1


def test_linear_default_crawls_and_the_fix_raises_the_rate(run_page, charts):
    at = run_page(LINEAR)  # lr 0.01, a hundredth of this data's bound: the page's first lesson
    assert cards(at) == ["The learning rate is too small"]
    loss = charts(at)["linear-gd.loss"]
    assert [s["type"] for s in loss["layout"]["shapes"]] == ["rect"]  # the crawl, shaded on the loss chart
    at = fix_button(at, "lr_too_small", "linear-gd-diagnosis").click().run()
    assert not at.exception
    assert {"linear-gd-diagnosis-fix-loss", "linear-gd-diagnosis-fix-r2"} <= set(charts(at))
    [outcome] = [m.value for m in at.markdown if m.value.startswith("Gone:")]
    assert "lr too small" in outcome
    [after] = [c.value for c in at.caption if c.value.startswith("After the fix:")]
    assert "Healthy" in after


def test_linear_blow_up_is_a_problem_marked_at_its_epoch(run_page, charts):
    at = run_page(LINEAR, query={"linear-gd.lr": "2.0"})
    assert cards(at) == ["Training diverged"]
    assert [s["type"] for s in charts(at)["linear-gd.loss"]["layout"]["shapes"]] == ["line"]


# -- activation comparison ------------------------------------------------------------------------

ACT = "Activation_comparison"


def test_activation_page_a_healthy_line_per_healthy_run(run_page):
    # lr 0.02: under the edge of stability (at the default 0.05, lr·λ_max/2 ≈ 1.02: relu and tanh oscillate)
    at = run_page(ACT, query={"act.train": ["relu", "tanh"], "act.lr": "0.02"})
    assert not at.exception and cards(at) == []
    assert len(healthy_lines(at)) == 2


def test_activation_page_one_diagnosis_per_run_and_its_fix(run_page, charts):
    at = run_page(ACT)
    titles = [m.value for m in at.markdown if m.value in ("**relu**", "**tanh**", "**sigmoid**")]
    assert titles == ["**relu**", "**tanh**", "**sigmoid**"]
    assert "The gradient vanishes on its way down" in cards(at)  # sigmoid's, 4 layers deep
    at = at.button(key="act-diagnosis-sigmoid.fix.vanishing_gradient").click().run()
    assert not at.exception
    assert {"act-diagnosis-sigmoid-fix-loss", "act-diagnosis-sigmoid-fix-r2"} <= set(charts(at))
    assert any(m.value.startswith("**sigmoid: Tried: activation sigmoid → tanh**") for m in at.markdown)
    [outcome] = [m.value for m in at.markdown if m.value.startswith("Gone:")]
    assert "vanishing gradient" in outcome


# -- compare runs: the verdict map ------------------------------------------------------------------

COMPARE = "compare_runs"
SUBMIT = "FormSubmitter:compare-grid-Train the grid"


def test_compare_page_verdict_map_of_every_cell(run_page, charts):
    import nnlab
    from nnlab import plots

    at = run_page(COMPARE, query={"inits": ["zeros", "he"], "lrs": ["0.01", "2"], "epochs": "50", "seeds": "2"})
    at = at.button(key=SUBMIT).click().run()
    assert not at.exception
    fig = charts(at)["compare-verdicts"]
    run = at.session_state["nnlab.training"].latest["compare"]
    expected = plots.verdict_map_data(
        run.result.table, [doctor.verdict(nnlab.diagnose(h)) for h in run.result.histories]
    )
    assert len(expected) == 4 and set(expected.seeds) == {2}
    shown = {
        (r, c): t
        for trace in fig["data"]
        if trace["type"] == "heatmap"
        for r, row in zip(trace["y"], trace["text"])
        for c, t in zip(trace["x"], row)
        if t
    }
    assert shown == {(r.init, r.lr): r.text.replace(" seeds ", " seeds<br>") for r in expected.itertuples()}
    assert shown[("he", "2")].endswith("diverged")  # lr 2 blows up
    assert "(2 seeds)" in fig["layout"]["title"]["text"]
    legend = [t["name"] for t in fig["data"] if t["type"] == "scatter"]
    assert legend == [v for v in doctor.VERDICT_ORDER if v in set(expected.verdict)]


def test_home_page_lists_the_presets(run_page):
    at = run_page()
    assert not at.exception
    for name in doctor.PRESETS:
        assert any(f"[{name}]({preset_link(name)})" in m.value for m in at.markdown)


def test_a_doctor_that_fails_says_so_without_a_traceback(run_page, monkeypatch):
    import nnlab

    def broken(*args, **kwargs):
        raise ValueError("no history to read")

    monkeypatch.setattr(nnlab, "diagnose", broken)
    at = run_page(DEEP)
    assert not at.exception
    assert any("The training doctor could not read this run" in e.value for e in at.error)
    assert "deep-loss" in [c.key for c in at.get("plotly_chart")]  # the rest of the page is drawn
