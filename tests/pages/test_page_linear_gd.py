"""The linear gradient-descent page in AppTest, its numbers checked against plain NumPy gradient
descent, closed-form least squares and the tutorial's printed results."""

from __future__ import annotations

import numpy as np
import pytest
from apptest import upload_csv
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

PAGE = "Linear_gradient_descent"
KEY = "linear-gd"
CHART_KEY = {"prefix": f"{KEY}."}  # "linear-gd.loss" -> "loss"


@pytest.fixture(scope="module")
def split():
    """The tutorial's split with the sidebar's default standardized target (train mean and std)."""
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    mean, std = y_train.mean(), y_train.std()
    return X_train, X_test, (y_train - mean) / std, (y_test - mean) / std


def bound_of(X):
    A = np.c_[X, np.ones(len(X))]
    eigenvalues = np.linalg.eigvalsh(2 / len(A) * A.T @ A)
    return 2 / eigenvalues[-1], eigenvalues[-1] / eigenvalues[0]


def trace(figure, name):
    found = [t for t in figure["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in figure["data"]]
    return found[0]


def metrics(at):
    return {m.label: m.value for m in at.metric}


def train(at, **settings):
    """Set the form's widgets and press Train (AppTest sends a form's values with its submit)."""
    for name, value in settings.items():
        widget = {
            "lr": at.select_slider,
            "epochs": at.select_slider,
            "init": at.radio,
            "rates": at.multiselect,
            "around_bound": at.checkbox,
        }[name]
        widget(key=f"{KEY}.{name}").set_value(value)
    at.get("form_submit_button")[0].click()
    return at.run()


def test_default_run(run_page, charts, split, gradient_descent):
    X_train, X_test, y_train, y_test = split
    at = run_page(PAGE)
    assert not at.exception and not at.error and not at.warning
    figures = charts(at, **CHART_KEY)
    assert list(figures) == ["loss", "r2", "weights", "spectrum", "overlay"]

    # The tutorial's run: lr 0.01 from zeros for 1,000 epochs, compared with NumPy. Each epoch's
    # loss is measured before its step, so the last point belongs to the weights after 999 steps.
    w, b, losses = gradient_descent(X_train, y_train, 0.01, 1000)
    w999, b999, _ = gradient_descent(X_train, y_train, 0.01, 999)
    np.testing.assert_allclose(trace(figures["loss"], "lr 0.01")["y"], losses, rtol=1e-9)
    assert trace(figures["loss"], "lr 0.01 (test)")["y"][-1] == pytest.approx(
        np.mean((X_test @ w999 + b999 - y_test) ** 2), rel=1e-9
    )
    assert figures["loss"]["layout"]["yaxis"]["title"]["text"] == "MSE (standardized units²)"
    reference = LinearRegression().fit(X_train, y_train)
    floor = np.mean((reference.predict(X_train) - y_train) ** 2)
    floor_trace = [t for t in figures["loss"]["data"] if "floor" in str(t.get("name"))]
    floor_shape = [s for s in figures["loss"]["layout"].get("shapes", []) if s.get("y0") == s.get("y1")]
    assert any(np.allclose(t["y"], floor) for t in floor_trace) or any(
        s["y0"] == pytest.approx(floor) for s in floor_shape
    )
    test_floor = np.mean((reference.predict(X_test) - y_test) ** 2)
    np.testing.assert_allclose(trace(figures["loss"], "least squares on the test rows")["y"], test_floor)

    # R² per epoch, likewise.
    assert trace(figures["r2"], "lr 0.01")["y"][-1] == pytest.approx(r2_score(y_train, X_train @ w999 + b999))

    # Weight paths: every epoch kept, the last snapshot is the final weights; ★ at least squares.
    bmi = trace(figures["weights"], "bmi")
    assert len(bmi["x"]) == 1001 and bmi["y"][-1] == pytest.approx(w[2], rel=1e-9)
    stars = trace(figures["weights"], "least-squares values")
    np.testing.assert_allclose(stars["y"], [*reference.coef_, reference.intercept_], rtol=1e-6, atol=1e-9)

    # The stability bound and condition number, computed here independently.
    bound, condition = bound_of(X_train)
    shown = metrics(at)
    assert shown["Stability bound 2/λ_max"] == f"{bound:.5g}"
    assert shown["Condition number"] == f"{condition:,.0f}"
    # The final numbers are those of the weights after all 1,000 steps, the model's own.
    assert shown["Test R²"] == f"{r2_score(y_test, X_test @ w + b):.4g}"
    spectrum = np.sort(np.concatenate([t["y"] for t in figures["spectrum"]["data"] if t.get("mode") == "markers"]))
    assert trace(figures["spectrum"], "2 / lr = 200: directions above it blow up")["y"][0] == 200
    A = np.c_[X_train, np.ones(len(X_train))]
    np.testing.assert_allclose(spectrum, np.linalg.eigvalsh(2 / len(A) * A.T @ A), rtol=1e-9)

    # The overlay: 0.01, 0.1, 0.5 and 0.99×, 1.01× the bound; only the last one blows up.
    overlay = figures["overlay"]
    names = [t["name"] for t in overlay["data"]]
    assert names == [
        "lr 0.01",
        "lr 0.1",
        "lr 0.5",
        f"lr {0.99 * bound:.4g} (0.99 × bound)",
        f"lr {1.01 * bound:.4g} (1.01 × bound)",
        "diverged",
    ]
    _, _, half = gradient_descent(X_train, y_train, 0.5, 1000)
    np.testing.assert_allclose(trace(overlay, "lr 0.5")["y"], half - floor, rtol=1e-6)
    assert overlay["layout"]["yaxis"]["type"] == "log"
    assert all(len(t["x"]) <= 2000 for f in figures.values() for t in f["data"] if "x" in t)

    # The explanation quotes the computed thresholds, never typed ones.
    text = "\n".join(m.value for m in at.markdown)
    assert f"**lr {0.01 * bound:.3g}** (1% of the bound) **crawls**" in text
    assert f"**lr {0.99 * bound:.4g}** (99% of the bound) **converges**" in text
    assert f"**lr {1.01 * bound:.4g}** (101% of the bound) **diverges**" in text
    assert "Your rate, 0.01, is 1% of the bound: it **crawls**" in text


def test_moving_a_slider_does_not_train_until_train_is_pressed(run_page, charts, split, gradient_descent):
    at = run_page(PAGE)
    at.select_slider(key=f"{KEY}.lr").set_value(0.5).run()
    assert trace(charts(at, **CHART_KEY)["loss"], "lr 0.01")  # still the old run
    train(at, lr=0.5)  # how fast: benchmarks/page_speed.py
    assert not at.exception
    X_train, _, y_train, _ = split
    _, _, losses = gradient_descent(X_train, y_train, 0.5, 1000)
    np.testing.assert_allclose(trace(charts(at, **CHART_KEY)["loss"], "lr 0.5")["y"], losses, rtol=1e-9)
    assert "it **converges**" in "\n".join(m.value for m in at.markdown)


def test_a_rate_over_the_bound_warns_and_marks_the_blow_up(run_page, charts, split):
    at = train(run_page(PAGE), lr=1.01)
    assert not at.exception and not at.error
    bound, _ = bound_of(split[0])
    warning = at.warning[0].value
    assert f"Learning rate 1.01 is {1.01 / bound:.3g} × this data's stability bound 2/λ_max = {bound:.5g}" in warning
    assert "Training diverged at epoch" in at.warning[1].value
    loss = charts(at, **CHART_KEY)["loss"]
    marker = trace(loss, "diverged")
    run = trace(loss, "lr 1.01")
    assert marker["x"][0] == run["x"][-1] and len(run["x"]) < 1000
    assert loss["layout"]["yaxis"]["type"] == "log"


def test_a_blow_up_below_the_stop_bound_is_told_and_marked(run_page, charts):
    """lr 1.01 for 200 epochs on the raw target grows ×2,000 without reaching the stop bound."""
    at = train(run_page(PAGE, query={"target_scaling": "none"}), lr=1.01, epochs=200)
    assert not at.exception and not at.error
    diverging = [w.value for w in at.warning if "Training is diverging" in w.value]
    assert len(diverging) == 1 and "from epoch 0 to the end" in diverging[0]
    loss = charts(at, **CHART_KEY)["loss"]
    marker, run = trace(loss, "diverging"), trace(loss, "lr 1.01")
    assert marker["x"][0] == run["x"][-1] == 199 and marker["y"][0] == run["y"][-1]


def test_initial_weights_and_epochs(run_page, charts):
    at = train(run_page(PAGE), init="random", epochs=200, rates=[0.1])
    assert not at.exception
    figures = charts(at, **CHART_KEY)
    assert len(trace(figures["loss"], "lr 0.01")["y"]) == 200
    assert trace(figures["weights"], "bmi")["y"][0] != 0.0  # random start
    assert [t["name"] for t in figures["overlay"]["data"]][0] == "lr 0.1"
    at = train(at, rates=[], around_bound=False)
    assert not at.exception
    assert charts(at, **CHART_KEY)["overlay"]["data"] == []


def test_the_bound_follows_the_sidebar_scaling(run_page):
    at = run_page(PAGE)
    at.sidebar.selectbox(key="scaling").set_value("standardized").run()
    assert not at.exception
    X, y = load_diabetes(scaled=False, return_X_y=True)
    X_train, *_ = train_test_split(X, y, test_size=0.2, random_state=42)
    bound, condition = bound_of((X_train - X_train.mean(0)) / X_train.std(0))
    assert metrics(at)["Stability bound 2/λ_max"] == f"{bound:.5g}"  # ERRATA 3: about 0.25
    assert metrics(at)["Condition number"] == f"{condition:,.0f}"  # and about 430


def test_other_sources(run_page, charts):
    for source in ("sine", "surface"):
        at = run_page(PAGE, query={"source": source})
        assert not at.exception and not at.error
        figures = charts(at, **CHART_KEY)
        assert len(figures) == 5
        assert len([t for t in figures["weights"]["data"] if t["mode"] == "lines"]) == (2 if source == "sine" else 3)


def test_three_examples_preset_matches_the_tutorial(run_page, charts):
    at = run_page(PAGE)
    at.get("button_group")[0].set_value("three").run()
    assert not at.exception and not at.error
    assert at.select_slider(key=f"{KEY}.lr").value == 0.01 and at.select_slider(key=f"{KEY}.epochs").value == 1000
    weights = at.dataframe[0].value
    # The tutorial printed: Final weights [-0.81758997 0.09126705 1.00012407 1.9089811 2.81783812],
    # Final bias 0.9088570222521724.
    np.testing.assert_allclose(
        weights[["x1", "x2", "x3", "x4", "x5"]].iloc[0],
        [-0.81758997, 0.09126705, 1.00012407, 1.9089811, 2.81783812],
        atol=5e-9,
    )
    assert weights["bias b"].iloc[0] == pytest.approx(0.9088570222521724, abs=1e-12)
    assert "24.999288, 29.999909, 35.000529" in "\n".join(m.value for m in at.markdown)
    loss = trace(charts(at, **CHART_KEY)["loss"], "lr 0.01")["y"]
    np.testing.assert_allclose(
        loss[[0, 100, 900]], [916.6666666666666, 0.3542681599414232, 1.269935027346966e-06], rtol=1e-9
    )
    X = np.array([[1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7.0]])
    assert metrics(at)["Stability bound 2/λ_max"] == f"{bound_of(X)[0]:.5g}"
    assert metrics(at)["Condition number"].startswith("∞")  # 6 parameters, 3 rows


def test_one_example_preset_shows_the_bug_and_the_check(run_page, charts):
    at = run_page(PAGE)
    at.get("button_group")[0].set_value("one").run()
    assert not at.exception and not at.error
    figures = charts(at, **CHART_KEY)
    printed, true = figures["bug"]["data"]
    assert printed["y"][-1] == pytest.approx(398.9825051020408)  # what the tutorial printed
    assert printed["y"][0] == pytest.approx(452.564)
    assert len(true["y"]) == 18  # the true loss is exactly 0 from epoch 18 on
    text = "\n".join(m.value for m in at.markdown)
    assert "stalls at 398.98" in text and "reaches 25" in text and "exactly 0 from epoch 18" in text
    check = at.dataframe[0].value
    assert check["ok"].all() and (check["relative_error"] < 1e-6).all()
    assert "undefined" in str(figures["r2"]["layout"])  # one row: R² has no meaning
    at.get("button_group")[0].set_value("data").run()
    assert not at.exception and "bug" not in charts(at, **CHART_KEY)


def test_a_wide_csv(run_page, charts):
    rng = np.random.default_rng(0)
    X = 3 * rng.normal(size=(150, 30)) + 1
    rows = np.c_[X, X[:, :3].sum(axis=1) + 0.1 * rng.normal(size=150)]
    content = (
        ",".join([f"f{i}" for i in range(30)] + ["target"])
        + "\n"
        + "\n".join(",".join(f"{v:.5f}" for v in row) for row in rows)
    ).encode()
    at = upload_csv(run_page(PAGE), "wide.csv", content)
    assert not at.exception and not at.error
    weights = charts(at, **CHART_KEY)["weights"]
    assert len([t for t in weights["data"] if t["mode"] == "lines"]) == 12  # the largest 12 of 31
    assert "19 more not drawn" in weights["layout"]["title"]["text"]
    assert "these features are in *original units*" in " ".join(c.value for c in at.caption)
