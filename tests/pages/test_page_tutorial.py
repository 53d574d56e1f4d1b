"""The "Follow the tutorial" guide in AppTest: every step renders with its numbers beside the tutorial's,
and each step's link opens its page with the step's settings."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from apptest import make_page

from nnlab import tutorial

PAGE = "0_Follow_the_tutorial"
STEP_TITLES = [
    "1 · One example, from the tutorial's start weights",
    "2 · Three examples, from zeros",
    "3 · The diabetes data in the tutorial's units",
    "4 · A small network on three rows",
]


@pytest.fixture(scope="module")
def guide():
    """One run of the guide (the diabetes step trains 2 × 10,000 epochs: once for the module)."""
    return make_page(PAGE, timeout=120).run()


LINK = re.compile(r"\[:material/open_in_new: (?P<label>[^\]]+)\]\((?P<url>[^)]+)\)")


def links(at):
    """[(page, label, {param: [values]})] of the step links (markdown links to a page's URL)."""
    found = []
    for element in at.main.markdown:
        for match in LINK.finditer(element.value):
            url = urlsplit(match["url"])
            found.append((url.path, match["label"], parse_qs(url.query)))
    return found


def test_every_step_renders_in_the_tutorials_order(guide, charts):
    assert not guide.exception and not guide.error and not guide.warning
    assert [h.value for h in guide.subheader if h.value in STEP_TITLES] == STEP_TITLES
    assert set(charts(guide, prefix="tutorial.")) == {
        "one-chart",
        "three-chart",
        "diabetes-loss",
        "diabetes-r2",
        "network-chart",
    }
    assert len(guide.dataframe) == 4
    # The units step says plainly why the app's default numbers differ, before its numbers.
    assert "standardizes the target by default" in guide.info[0].value


def test_step_tables_put_the_printed_numbers_beside_nnlabs(guide):
    one, three, diabetes, network = (frame.value for frame in guide.dataframe)
    one = one.set_index("quantity")
    assert one.loc["w1", "tutorial printed"] == one.loc["w1", "nnlab"] == "4.30357143"
    assert one.loc["prediction w·x + b", "nnlab"] == "25.00000000"
    assert one.loc["its loss, mean((w ⊙ x + b − y)²)", "nnlab"] == "398.98250510"
    assert one.loc["true loss, (w·x + b − y)²", "tutorial printed"] == "—"  # it never printed it
    assert list(three["tutorial printed"]) == list(three["nnlab"])  # to its 8 printed decimals
    diabetes = diabetes.set_index("quantity")
    assert diabetes.loc["first loss, w = 0 (its zero-init cell)", "tutorial printed"] == "6078.9678"
    assert diabetes.loc["first loss, w = 0 (its zero-init cell)", "nnlab"] == "29711.3229"  # ERRATA 5
    assert diabetes.loc["test R² after 10,000 epochs (PyTorch)", "nnlab"] == "0.4167"  # ERRATA 6
    assert list(network.epoch) == list(tutorial.PRINTED["network"]["loss"])
    assert network["tutorial printed"][0] == "177.1463"


def test_step_sentences_explain_the_errata(guide):
    text = "\n".join(m.value for m in guide.markdown)
    assert "The loss it printed, 398.98, is not the error of that prediction" in text  # ERRATA 1
    assert "the same to 8 decimals" in text
    assert "With b = 0, as the cell says, that is **29,711.3**" in text  # ERRATA 5
    assert "the tutorial's PyTorch run printed 0.4167" in text and "reaches 0.4526" in text  # ERRATA 6
    assert "The tutorial steps along dA = ŷ − y" in text and "as if lr were 0.0015" in text  # ERRATA 7


def test_charts_draw_nnlabs_curves_beside_the_printed_values(guide, charts):
    found = charts(guide, prefix="tutorial.")
    loss = {t["name"]: t for t in found["diabetes-loss"]["data"]}
    assert loss["nnlab from w = 0, b = 0"]["y"][0] == pytest.approx(29711.3, abs=0.05)
    assert loss["its zero-init cell"]["y"][0] == tutorial.PRINTED["diabetes_zeros"]["loss"][0]
    r2 = {t["name"]: t for t in found["diabetes-r2"]["data"]}
    assert r2["nnlab from w = 0: test R²"]["y"][-1] == pytest.approx(0.4167, abs=1e-4)
    assert r2["least squares"]["y"][0] == pytest.approx(0.4526, abs=5e-5)
    network = {t["name"]: t for t in found["network-chart"]["data"]}
    nnlab, loop = network["nnlab: the MSE's own gradient"]["y"], network["the tutorial's loop, dA = ŷ − y"]["y"]
    assert nnlab.shape == loop.shape == (100,) and nnlab[0] == loop[0] and not np.allclose(nnlab, loop)
    np.testing.assert_allclose(
        network["the tutorial printed (its own start)"]["y"], list(tutorial.PRINTED["network"]["loss"].values())
    )
    three = {t["name"]: t for t in found["three-chart"]["data"]}
    np.testing.assert_allclose(
        three["nnlab: training loss"]["y"][list(tutorial.PRINTED["three"]["loss"])],
        three["the tutorial printed"]["y"],
        rtol=1e-9,
    )


# The linear page's problem picker: its URL holds the label shown, its state the option.
PROBLEM_STATE = {"Tutorial: one example": "one", "Tutorial: three examples": "three", "The sidebar's data": "data"}
DEEP_PROBLEM_STATE = {"Tutorial: the toy network (3 rows)": "toy", "The sidebar's data": "data"}


def test_links_carry_each_steps_settings(guide):
    found = links(guide)
    pages = {page for page, _, _ in found}
    assert pages == {"Linear_gradient_descent", "Deep_network"}
    params = [{k: v[-1] for k, v in query.items()} for _, _, query in found]
    assert {
        "linear-gd.problem": "Tutorial: one example",
        "linear-gd.lr": "0.01",
        "linear-gd.epochs": "1000",
        "linear-gd.init": "zeros",
    } in params
    assert any(p.get("linear-gd.problem") == "Tutorial: three examples" for p in params)
    tutorial_units = [p for p in params if p.get("target_scaling") == "none"]
    assert len(tutorial_units) >= 2 and all(
        p["source"] == "diabetes" and p["scaling"] == "sklearn" for p in tutorial_units
    )
    assert {p.get("linear-gd.init") for p in tutorial_units} == {"zeros", "random"}
    assert {
        "deep.problem": "Tutorial: the toy network (3 rows)",
        "deep.hidden": "5",
        "deep.activation": "relu",
        "deep.init": "he",
        "deep.lr": "0.001",
        "deep.epochs": "100",
    } in params
    # The list at the top opens each of the four steps, in order.
    assert [(page, label) for page, label, _ in found if label.startswith("Open on the")] == [
        ("Linear_gradient_descent", "Open on the linear page")
    ] * 3 + [("Deep_network", "Open on the deep network page")]


@pytest.mark.parametrize("which", ["one", "three", "diabetes", "network"])
def test_following_a_link_opens_its_page_with_those_settings(guide, run_page, charts, which):
    found = [(page, query) for page, label, query in links(guide) if label.startswith("Open on the")]
    page, query = found[["one", "three", "diabetes", "network"].index(which)]
    at = run_page(page, query={k: v if len(v) > 1 else v[0] for k, v in query.items()}, timeout=120)
    assert not at.exception and not at.warning, [w.value for w in at.warning]  # no value refused
    for key, values in query.items():
        states = {"linear-gd.problem": PROBLEM_STATE, "deep.problem": DEEP_PROBLEM_STATE}.get(key)
        expected = states[values[-1]] if states else values[-1]
        assert str(at.session_state[key]) == expected, key
    if which == "network":  # the toy network's own three rows, trained as the tutorial's step trains them
        expected = tutorial.network_run(0)["history"]
        assert at.markdown[1].value.startswith(
            f"100 epochs in {at.session_state['nnlab.training'].latest['deep'].result.history_.seconds:.2f} s · "
            f"26 parameters · final training loss {expected.final_loss:.4g} · training R²"
        )
        assert any("without the 2/3" in i.value for i in at.info)
    if which == "diabetes":  # the tutorial's units: the page's first loss is its 29,711.3 from zeros
        loss = next(t for t in charts(at)["linear-gd.loss"]["data"] if t["name"] == "lr 0.01")
        assert loss["y"][0] == pytest.approx(29711.3, abs=0.05)


def test_the_seed_of_the_network_step_is_in_the_url(run_page, charts):
    at = run_page(PAGE, query={"tutorial.seed": "2"}, timeout=120)
    assert not at.exception and at.session_state["tutorial.seed"] == 2
    network = {t["name"]: t for t in charts(at, prefix="tutorial.")["network-chart"]["data"]}
    np.testing.assert_allclose(network["nnlab: the MSE's own gradient"]["y"], tutorial.network_step(2)["nnlab"])
    bad = run_page(PAGE, query={"tutorial.seed": "-3"}, timeout=120)
    assert "tutorial.seed=-3" in bad.warning[0].value


def test_the_random_init_link_opens_the_long_run_in_the_tutorials_units(guide, run_page):
    ((page, query),) = [(p, q) for p, label, q in links(guide) if label.startswith("… or from small random")]
    at = run_page(page, query={k: v[0] for k, v in query.items()}, timeout=180)
    assert not at.exception and not at.warning
    assert (
        at.session_state["linear-gd.init"],
        at.session_state["linear-gd.epochs"],
        at.session_state["target_scaling"],
    ) == ("random", 10_000, "none")
