"""nnlab.data.describe, nnlab.linear, nnlab.tutorial and the figures of the dataset-explorer and
linear gradient-descent pages.

Numbers are checked against independent computations (NumPy, scikit-learn) and against what the
tutorial printed; figures by their data half (equality) and figure half (trace count and type).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

import nnlab
from nnlab import explain, linear, plots, tutorial
from nnlab.data import Dataset, describe, make_dataset
from nnlab.plots import MAX_POINTS


@pytest.fixture(scope="module")
def diabetes():
    """The tutorial's split of scikit-learn's diabetes data, raw target (ERRATA's figures)."""
    return make_dataset("diabetes", "sklearn", "none")


@pytest.fixture(scope="module")
def reference_split():
    X, y = load_diabetes(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, random_state=42)


def fit_quietly(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nnlab.DivergenceWarning)
        return model.fit(*args, **kwargs)


# -- describe: the dataset explorer -------------------------------------------------------------


def test_column_stats_show_scikit_learns_scaling(diabetes):
    X, y = describe.all_rows(diabetes)
    raw = load_diabetes().data
    stats = describe.column_stats(X, diabetes.feature_names)
    np.testing.assert_allclose(stats["std"], raw.std(axis=0))
    np.testing.assert_allclose(stats["l2_norm"], np.sqrt((raw**2).sum(axis=0)))
    np.testing.assert_allclose(stats[["mean", "min", "max"]], np.c_[raw.mean(0), raw.min(0), raw.max(0)], atol=1e-15)
    # ERRATA 2: not std 1 but unit L2 norm over all 442 rows, so std = 1/√442 ≈ 0.048.
    np.testing.assert_allclose(stats["l2_norm"], 1.0, rtol=1e-12)
    np.testing.assert_allclose(stats["std"], 1 / np.sqrt(442), rtol=1e-12)
    assert describe.scaling_kind(stats) == "unit_norm"


@pytest.mark.parametrize(
    "scaling, kind", [("sklearn", "unit_norm"), ("standardized", "standardized"), ("raw", "other")]
)
def test_scaling_kind_of_each_scaling(scaling, kind):
    X, _ = describe.all_rows(make_dataset("diabetes", scaling))
    assert describe.scaling_kind(describe.column_stats(X, range(X.shape[1]))) == kind


def test_correlations_match_pandas(diabetes):
    X, y = describe.all_rows(diabetes)
    corr = describe.correlations(X, y, diabetes.feature_names, "progression")
    expected = pd.DataFrame(np.c_[X, y], columns=[*diabetes.feature_names, "progression"]).corr()
    pd.testing.assert_frame_equal(corr, expected)
    assert describe.strongest(corr, 3) == ["bmi", "s5", "bp", "progression"]
    first, second, r = describe.strongest_pair(corr)
    assert {first, second} == {"s1", "s2"} and r == pytest.approx(expected.loc["s1", "s2"])
    assert describe.strongest_pair(corr.loc[["bmi", "progression"], ["bmi", "progression"]]) is None


def test_feature_line_matches_scikit_learn(reference_split):
    X_train, _, y_train, _ = reference_split
    fit = linear.feature_line(X_train[:, 2], y_train)
    reference = LinearRegression().fit(X_train[:, [2]], y_train)
    assert fit["slope"] == pytest.approx(reference.coef_[0])
    assert fit["intercept"] == pytest.approx(reference.intercept_)
    assert fit["r2"] == pytest.approx(reference.score(X_train[:, [2]], y_train))


def test_split_summary(diabetes):
    summary = describe.split_summary(diabetes.y_train, diabetes.y_test)
    assert summary["rows"].tolist() == [353, 89]
    assert summary["share"].sum() == pytest.approx(1.0)
    assert summary.loc["test", "mean"] == pytest.approx(np.mean(diabetes.y_test))
    assert summary.loc["train", "std"] == pytest.approx(np.std(diabetes.y_train))
    standardized = describe.split_summary([-1.0, 1.0 - 1e-16], [0.5, 0.5])
    assert standardized.loc["train", "mean"] == 0.0 and str(standardized.loc["train", "mean"]) == "0.0"


def test_table_of_the_features_and_the_target(diabetes):
    X, y = describe.all_rows(diabetes)
    table = describe.table(X, y, diabetes.feature_names, "progression")
    assert table.index.tolist() == [*diabetes.feature_names, "target: progression"]
    pd.testing.assert_frame_equal(table.iloc[:-1], describe.column_stats(X, diabetes.feature_names))
    assert table.loc["target: progression", "mean"] == pytest.approx(np.mean(y))
    assert table.loc["target: progression", "max"] == np.max(y)


def test_feature_descriptions_only_where_known():
    table = describe.feature_descriptions(["bmi", "x", "s5"])
    assert table["column"].tolist() == ["bmi", "s5"]
    assert table.columns.tolist() == ["column", "full name", "description"]
    assert describe.feature_descriptions(["x1", "x2"]).empty


# -- linear: the linear page ------------------------------------------------------------------


def test_toy_datasets_are_the_tutorials():
    three = tutorial.toy_dataset("three")
    np.testing.assert_array_equal(three.X_train, [[1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7]])
    np.testing.assert_array_equal(three.y_train, [25, 30, 35])
    assert three.X_test.shape == (0, 5) and three.y_test.shape == (0,)
    one = tutorial.toy_dataset("one")
    assert one.X_train.shape == (1, 5) and one.y_train.tolist() == [25.0]
    with pytest.raises(ValueError, match="toy problem"):
        tutorial.toy_dataset("four")


def test_three_examples_reproduce_the_tutorials_printout():
    data = tutorial.toy_dataset("three")
    model = nnlab.MLP(hidden=(), init="zeros", lr=tutorial.TUTORIAL_LR, epochs=tutorial.TUTORIAL_EPOCHS)
    model.fit(data.X_train, data.y_train)
    # Printed by the tutorial: Final weights, Final bias, Predictions, and the loss at epochs 0, 100 and 900.
    np.testing.assert_allclose(
        model.coefs_[0][:, 0], [-0.81758997, 0.09126705, 1.00012407, 1.9089811, 2.81783812], atol=5e-9
    )
    assert model.intercepts_[0][0] == pytest.approx(0.9088570222521724, abs=1e-12)
    np.testing.assert_allclose(model.predict(data.X_train), [24.99928835, 29.99990871, 35.00052908], atol=5e-9)
    np.testing.assert_allclose(
        model.history_.loss[[0, 100, 900]], [916.6666666666666, 0.3542681599414232, 1.269935027346966e-06], rtol=1e-9
    )


def test_the_one_example_bug_is_replayed_and_caught():
    bug = tutorial.one_example_bug()
    # The tutorial printed these (ERRATA 1): its loss plateaus while the prediction reaches 25.
    assert bug["printed"][0] == pytest.approx(452.56399999999996)
    np.testing.assert_allclose(bug["printed"][[100, 500, 999]], 398.9825051020408, rtol=1e-12)
    np.testing.assert_allclose(bug["w"], [4.30357143, 3.80714286, 1.81071429, 1.11428571, 0.61785714], atol=5e-9)
    assert bug["b"] == pytest.approx(0.10357142857142854)
    assert bug["prediction"] == pytest.approx(25.0)
    # The true loss at the start: (4.2 + 7.2 + 4.5 + 2.8 + 0.5 − 25)² = (−5.8)² = 33.64.
    assert bug["true"][0] == pytest.approx(33.64)
    assert bug["true"][-1] == 0.0
    check = bug["check"].set_index("loss")
    assert not check.loc["printed", "ok"] and check.loc["printed", "relative_error"] > 0.1
    assert check.loc["true", "ok"] and check.loc["true", "relative_error"] < 1e-8


def test_numeric_gradient_of_the_printed_loss_by_hand():
    x, y, w, b = np.array([1.0, 2.0]), 3.0, np.array([1.0, 1.0]), 0.0
    # printed loss = mean((w ⊙ x + b − y)²) = ((1 − 3)² + (2 − 3)²) / 2; d/dw_i = (w_i x_i + b − y) x_i,
    # d/db = mean(2 (w ⊙ x + b − y)) = (−4 − 2) / 2 = −3.
    np.testing.assert_allclose(tutorial.numeric_gradient(tutorial.printed_loss, w, b, x, y), [-2, -2, -3], atol=1e-6)
    # true loss = (w·x + b − y)² = 0 here: its gradient 2·0·(x, 1) = 0, as the code's.
    np.testing.assert_allclose(tutorial.numeric_gradient(tutorial.true_loss, w, b, x, y), [0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(tutorial.code_gradient(w, b, x, y), [0, 0, 0])


def test_stability_matches_the_errata(diabetes):
    info = linear.stability(diabetes)
    A = np.c_[diabetes.X_train, np.ones(len(diabetes.X_train))]
    eigenvalues = np.linalg.eigvalsh(2 / len(A) * A.T @ A)
    assert info["bound"] == pytest.approx(2 / eigenvalues[-1])
    # ERRATA 3: bound about 1.0 and condition about 48,000; standardized: about 0.25 and 430.
    assert info["bound"] == pytest.approx(1.0, abs=0.01)
    assert info["condition"] == pytest.approx(48_000, rel=0.01)
    standardized = linear.stability(make_dataset("diabetes", "standardized"))
    assert standardized["bound"] == pytest.approx(0.25, abs=0.005)
    assert standardized["condition"] == pytest.approx(430, rel=0.01)


def test_rate_report_regimes(diabetes):
    info = linear.stability(diabetes)
    rates = linear.threshold_rates(info)
    assert list(rates) == [0.01, 0.99, 1.01]
    reports = {f: linear.rate_report(r, info) for f, r in rates.items()}
    assert [r["regime"] for r in reports.values()] == ["crawls", "converges", "diverges"]
    # At lr = f·2/λ_max the most curved direction's factor is |1 − 2f|.
    for f, report in reports.items():
        assert report["stiffest"] == pytest.approx(abs(1 - 2 * f))
        assert report["ratio"] == pytest.approx(f)
    lam_min = info["eigenvalues"][0]
    assert reports[0.99]["slowest"] == pytest.approx(1 - rates[0.99] * lam_min)
    assert reports[0.99]["epochs_slowest"] == pytest.approx(np.log(10) / -np.log(1 - rates[0.99] * lam_min))


def test_the_sentences_quote_computed_numbers(diabetes):
    info = linear.stability(diabetes)
    bound = info["bound"]
    story = explain.bound_story(info)
    assert f"**Why the bound is {bound:.5g}.**" in story and f"λ_max = {info['lambda_max']:.5g}" in story
    assert f"**lr {0.01 * bound:.3g}** (1% of the bound) **crawls**" in story
    assert f"**lr {0.99 * bound:.4g}** (99% of the bound) **converges**" in story
    assert f"**lr {1.01 * bound:.4g}** (101% of the bound) **diverges**" in story
    assert f"the condition number, {info['condition']:,.0f}" in story
    assert "condition number" not in explain.bound_story(linear.stability(tutorial.toy_dataset("three")))
    assert explain.share_of_bound(0.5) == "50% of the bound" and explain.share_of_bound(735.2) == "735 × the bound"
    report = linear.rate_report(0.5, info)
    assert explain.rate_sentence(0.5, report) == "Your rate, 0.5, is 50% of the bound: it **converges**."
    run = fit_quietly(nnlab.MLP(hidden=(), init="zeros", lr=0.5, epochs=100), diabetes.X_train, diabetes.y_train)
    floor = linear.reference(diabetes)["train_mse"]
    assert explain.rate_sentence(0.5, report, run.history_, floor).endswith(
        f"after 100 epochs the training loss is {run.history_.final_loss / floor - 1:.1%} above the "
        "least-squares floor."
    )
    toy = tutorial.toy_dataset("three")
    exact = nnlab.MLP(hidden=(), init="zeros", lr=0.01, epochs=50).fit(toy.X_train, toy.y_train)
    assert "where an exact fit gives 0." in explain.rate_sentence(
        0.01, linear.rate_report(0.01, linear.stability(toy)), exact.history_, linear.reference(toy)["train_mse"]
    )
    warning = explain.over_bound_warning(1.01, linear.rate_report(1.01, info), info)
    assert warning.startswith(f"Learning rate 1.01 is {1.01 / bound:.3g} × this data's stability bound")
    assert f"{abs(1 - 1.01 * info['lambda_max']):.4g}" in warning
    story = explain.bug_story(tutorial.one_example_bug())
    assert "stalls at 398.98" in story and "reaches 25 " in story and "exactly 0 from epoch 18" in story


def test_reference_is_least_squares(diabetes, reference_split):
    X_train, X_test, y_train, y_test = reference_split
    best = linear.reference(diabetes)
    reference = LinearRegression().fit(X_train, y_train)
    np.testing.assert_allclose(best["coef"], reference.coef_, rtol=1e-8)
    assert best["train_mse"] == pytest.approx(np.mean((reference.predict(X_train) - y_train) ** 2))
    assert best["test_r2"] == pytest.approx(r2_score(y_test, reference.predict(X_test)))
    assert best["test_r2"] == pytest.approx(0.4526, abs=1e-4)  # ERRATA 6
    assert np.isnan(linear.reference(tutorial.toy_dataset("three"))["test_r2"])


def test_rate_runs_match_plain_gradient_descent(diabetes, gradient_descent):
    bound = linear.stability(diabetes)["bound"]
    runs = linear.rate_runs(diabetes.X_train, diabetes.y_train, [0.01, 0.5, 0.99 * bound], 300)
    assert list(runs) == [0.01, 0.5, 0.99 * bound]
    for lr, history in runs.items():
        _, _, losses = gradient_descent(diabetes.X_train, diabetes.y_train, lr, 300)
        np.testing.assert_allclose(history.loss, losses, rtol=1e-10)
        assert history.diverged_at is None
    assert linear.rate_runs(diabetes.X_train, diabetes.y_train, [], 10) == {}


def test_a_rate_just_over_the_bound_diverges(diabetes):
    bound = linear.stability(diabetes)["bound"]
    runs = linear.rate_runs(diabetes.X_train, diabetes.y_train, [1.01 * bound], 1000)
    assert runs[1.01 * bound].diverged_at is not None  # ERRATA 3


def test_a_diverging_rate_does_not_change_the_others(diabetes, gradient_descent):
    bound = linear.stability(diabetes)["bound"]
    runs = linear.rate_runs(diabetes.X_train, diabetes.y_train, [0.01, 1.01 * bound, 1.5], 300)
    assert runs[1.01 * bound].diverged_at is not None and runs[1.5].diverged_at is not None
    _, _, losses = gradient_descent(diabetes.X_train, diabetes.y_train, 0.01, 300)
    np.testing.assert_allclose(runs[0.01].loss, losses, rtol=1e-10)


# -- figures: the dataset explorer -----------------------------------------------------------------


def test_histograms(diabetes):
    X, _ = describe.all_rows(diabetes)
    data = plots.histograms_data(X[:, :3], ["age", "sex", "bmi"], bins=20)
    counts, edges = np.histogram(X[:, 2], bins=20)
    part = data[data.feature == "bmi"]
    np.testing.assert_array_equal(part["count"], counts)
    np.testing.assert_allclose(part.left, edges[:-1])
    assert data.groupby("feature", sort=False)["count"].sum().tolist() == [442] * 3
    fig = plots.histograms_figure(data)
    assert len(fig.data) == 3 and {t.type for t in fig.data} == {"bar"}
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "rows"
    assert len(plots.histograms_figure(plots.histograms_data(X[:, :0], [])).data) == 0


def test_correlation_figure(diabetes):
    X, y = describe.all_rows(diabetes)
    corr = describe.correlations(X, y, diabetes.feature_names, "progression")
    fig = plots.correlation_figure(corr)
    assert len(fig.data) == 1 and fig.data[0].type == "heatmap"
    np.testing.assert_allclose(np.asarray(fig.data[0].z, float), corr.to_numpy())
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-1, 1)
    assert fig.data[0].z.size <= MAX_POINTS
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_feature_target(diabetes, reference_split):
    X_train, _, y_train, _ = reference_split
    points, line = plots.feature_target_data(diabetes, "bmi")
    assert points.groupby("split", sort=False).size().tolist() == [353, 89]
    reference = LinearRegression().fit(X_train[:, [2]], y_train)
    np.testing.assert_allclose(line.y, reference.predict(line.x.to_numpy().reshape(-1, 1)))
    assert line.x.tolist() == [points.x.min(), points.x.max()]
    fig = plots.feature_target_figure(points, line, "bmi", "progression")
    assert [t.mode for t in fig.data] == ["markers", "markers", "lines"]
    assert fig.layout.xaxis.title.text == "bmi" and fig.layout.yaxis.title.text == "progression"


def test_feature_target_keeps_at_most_max_points_per_split():
    big = make_dataset("sine")
    many = Dataset(
        name="big",
        X_train=np.repeat(big.X_train, 20, axis=0),
        X_test=big.X_test,
        y_train=np.repeat(big.y_train, 20),
        y_test=big.y_test,
        feature_names=("x",),
        target_name="y",
        target_mean=0.0,
        target_std=1.0,
    )
    points, _ = plots.feature_target_data(many, "x")
    assert (points.split == "train").sum() == MAX_POINTS


def test_split_target(diabetes):
    data = plots.split_target_data(diabetes.y_train, diabetes.y_test, bins=25)
    edges = np.histogram_bin_edges(np.r_[diabetes.y_train, diabetes.y_test], bins=25)
    counts, _ = np.histogram(diabetes.y_test, bins=edges)
    np.testing.assert_allclose(data[data.split == "test"].share, counts / 89)
    assert data.groupby("split").share.sum().to_numpy() == pytest.approx([1, 1])
    fig = plots.split_target_figure(data, "progression")
    assert [t.type for t in fig.data] == ["bar", "bar"] and fig.layout.barmode == "overlay"
    assert fig.layout.yaxis.title.text and fig.layout.xaxis.title.text == "progression"


# -- figures: the linear page --------------------------------------------------------------------


@pytest.fixture(scope="module")
def linear_run(diabetes):
    model = nnlab.MLP(hidden=(), init="zeros", lr=0.5, epochs=300, record_every=1)
    return fit_quietly(model, diabetes.X_train, diabetes.y_train, eval_set=(diabetes.X_test, diabetes.y_test))


def test_linear_loss_and_r2_figures(diabetes, linear_run, gradient_descent):
    best = linear.reference(diabetes)
    histories = {"lr 0.5": linear_run.history_}
    fig = plots.linear_loss_figure(histories, best["train_mse"], best["test_mse"])
    lines = [t for t in fig.data if t.name in ("lr 0.5", "lr 0.5 (test)")]
    assert len(lines) == 2 and all(t.type == "scatter" for t in lines)
    _, _, losses = gradient_descent(diabetes.X_train, diabetes.y_train, 0.5, 300)
    np.testing.assert_allclose(np.asarray(lines[0].y, float), losses, rtol=1e-10)
    assert fig.layout.xaxis.title.text == "epoch" and "MSE" in fig.layout.yaxis.title.text
    r2 = plots.linear_r2_figure(histories, best["test_r2"])
    assert [t.name for t in r2.data] == ["lr 0.5", "lr 0.5 (test)", f"least squares, test R² {best['test_r2']:.3f}"]
    assert r2.data[-1].y == (best["test_r2"],) * 2
    assert (
        plots.linear_r2_figure(
            {"one": fit_quietly(nnlab.MLP(hidden=(), epochs=5), np.ones((2, 1)) * [[1], [2]], [3.0, 3.0]).history_}
        ).data
        == ()
    )


def test_linear_loss_figure_marks_divergence(diabetes):
    model = fit_quietly(nnlab.MLP(hidden=(), init="zeros", lr=1.5, epochs=300), diabetes.X_train, diabetes.y_train)
    fig = plots.linear_loss_figure({"lr 1.5": model.history_}, 1.0)
    marker = [t for t in fig.data if t.name == "diverged"]
    assert len(marker) == 1 and marker[0].x[0] == model.history_.diverged_at
    assert all(np.isfinite(np.asarray(t.y, float)[~np.isnan(np.asarray(t.y, float))]).all() for t in fig.data)


def test_weight_paths(diabetes, linear_run, gradient_descent):
    history = linear_run.history_
    data = plots.weight_paths_data(history, diabetes.feature_names)
    assert data.parameter.nunique() == 11 and data.attrs["hidden"] == 0
    bmi = data[data.parameter == "bmi"]
    np.testing.assert_array_equal(bmi.epoch, np.arange(301))
    w, b, _ = gradient_descent(diabetes.X_train, diabetes.y_train, 0.5, 300)
    assert bmi.value.iloc[-1] == pytest.approx(w[2], rel=1e-10)
    assert data[data.parameter == "bias b"].value.iloc[-1] == pytest.approx(b, rel=1e-10)
    few = plots.weight_paths_data(history, diabetes.feature_names, max_lines=3)
    largest = np.argsort(-np.abs(np.r_[w, b]))[:3]
    assert set(few.parameter) == {[*diabetes.feature_names, "bias b"][k] for k in largest}
    assert few.attrs["hidden"] == 8
    best = linear.reference(diabetes)
    fig = plots.weight_paths_figure(
        data, dict(zip([*diabetes.feature_names, "bias b"], [*best["coef"], best["intercept"]]))
    )
    assert len(fig.data) == 12 and fig.data[-1].mode == "markers" and len(fig.data[-1].y) == 11
    assert all(len(t.x) <= MAX_POINTS for t in fig.data)


def test_spectrum(diabetes):
    info = linear.stability(diabetes)
    data = plots.spectrum_data(info["eigenvalues"], 1.01 * info["bound"])
    np.testing.assert_allclose(data.eigenvalue, np.sort(info["eigenvalues"])[::-1])
    assert data.stable.tolist() == [False] + [True] * 10  # only the most curved direction blows up
    fig = plots.spectrum_figure(data, 1.01 * info["bound"])
    assert [t.name.split(":")[0] for t in fig.data] == [
        "stable",
        "unstable",
        f"2 / lr = {2 / (1.01 * info['bound']):.4g}",
    ]
    assert [t.mode for t in fig.data] == ["markers", "markers", "lines"]
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    toy = plots.spectrum_data(linear.stability(tutorial.toy_dataset("one"))["eigenvalues"], 0.01)
    assert "5 flat directions" in plots.spectrum_figure(toy, 0.01).layout.title.text


def test_rate_overlay(diabetes):
    bound = linear.stability(diabetes)["bound"]
    runs = linear.rate_runs(diabetes.X_train, diabetes.y_train, [0.01, 0.99 * bound, 1.01 * bound], 1000)
    floor = linear.reference(diabetes)["train_mse"]
    histories = {f"lr {r:.3g}": h for r, h in runs.items()}
    curves, diverged = plots.rate_overlay_data(histories, floor)
    slow = curves[curves.run == "lr 0.01"]
    np.testing.assert_allclose(slow.value, runs[0.01].loss - floor)
    cap = curves.attrs["cap"]
    assert cap == pytest.approx(100 * (runs[0.01].loss[0] - floor))
    assert diverged.run.tolist() == [f"lr {1.01 * bound:.3g}"] and diverged.value.iloc[0] == cap
    fig = plots.rate_overlay_figure(curves, diverged)
    assert len(fig.data) == 4 and fig.data[-1].name == "diverged" and fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.range[1] == pytest.approx(np.log10(cap) + 0.05)  # the blow-up leaves at the top
    assert all(len(t.x) <= MAX_POINTS for t in fig.data)
    empty_curves, empty_diverged = plots.rate_overlay_data({}, floor)
    assert len(plots.rate_overlay_figure(empty_curves, empty_diverged).data) == 0


def test_bug_demo():
    bug = tutorial.one_example_bug()
    data = plots.bug_demo_data(bug)
    printed, true = (part for _, part in data.groupby("curve", sort=False))
    np.testing.assert_allclose(printed.value, bug["printed"])
    assert (true.value > 0).all() and len(true) == (bug["true"] > 0).sum()
    fig = plots.bug_demo_figure(data)
    assert len(fig.data) == 2 and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "epoch"
