"""The dataset explorer page in AppTest: what it draws, checked against scikit-learn and NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from apptest import upload_csv
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from tabs import every_tab_chart, open_tab

PAGE = "Dataset_explorer"
CHART_KEY = {"prefix": "explorer.", "suffix": "-chart"}  # "explorer.corr-chart" -> "corr"
FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def markdown(at):
    return "\n".join(m.value for m in at.markdown)


VIEWS = ["The numbers", "How the columns relate", "Training and test rows"]


def view(at, name):
    return open_tab(at, "explorer.view", name)


def every_chart(at, charts):
    return every_tab_chart(at, charts, "explorer.view", VIEWS, **CHART_KEY)


@pytest.fixture(scope="module")
def sklearn_data():
    X, y = load_diabetes(return_X_y=True)
    return X, y, train_test_split(X, y, test_size=0.2, random_state=42)


def test_default_run(run_page, charts, sklearn_data):
    at = run_page(PAGE)
    assert not at.exception and not at.error
    assert set(charts(at, **CHART_KEY)) == {"histogram"}, "a cold visit draws the first tab only"
    text = markdown(at)
    descriptions, stats = (frame.value for frame in at.dataframe)
    figures = every_chart(at, charts)
    assert set(figures) == {"histogram", "corr", "feature", "split"}
    X, y, (X_train, X_test, y_train, y_test) = sklearn_data

    # The descriptions table and the statistics: std 0.048, unit L2 norm (ERRATA 2).
    assert descriptions["column"].tolist() == FEATURES
    np.testing.assert_allclose(stats.loc[FEATURES, "std"], X.std(axis=0))
    np.testing.assert_allclose(stats.loc[FEATURES, "l2_norm"], np.linalg.norm(X, axis=0))
    target_all = (np.r_[y_train, y_test] - y_train.mean()) / y_train.std()  # standardized with train statistics
    assert stats.filter(like="target", axis=0)["mean"].iloc[0] == pytest.approx(target_all.mean())
    assert "mean 0 and standard deviation 1" in text  # the tutorial's claim, corrected:
    assert f"about **{X.std(axis=0).mean():.4f}**" in text and f"1/√442 = {442**-0.5:.4f}" in text

    # Histograms: one bar trace per feature, counts of all 442 rows.
    bars = figures["histogram"]["data"]
    assert len(bars) == 10 and {b["type"] for b in bars} == {"bar"}
    counts, _ = np.histogram(X[:, 2], bins=30)
    np.testing.assert_array_equal(bars[2]["y"], counts)

    # Correlations: columns ordered by |r| with the target, values as NumPy's.
    heat = figures["corr"]["data"][0]
    assert heat["type"] == "heatmap" and heat["x"][0] == "bmi" and heat["x"][-1] == "progression"
    order = [FEATURES.index(c) for c in heat["x"][:-1]]
    expected = np.corrcoef(np.c_[X[:, order], y], rowvar=False)
    np.testing.assert_allclose(np.asarray(heat["z"], float), expected, atol=1e-12)

    # The strongest feature against the target, with its training-rows least-squares line.
    train, test, line = figures["feature"]["data"]
    assert len(train["x"]) == 353 and len(test["x"]) == 89
    target = (y_train - y_train.mean()) / y_train.std()  # the sidebar's default: standardized target
    reference = LinearRegression().fit(X_train[:, [2]], target)
    np.testing.assert_allclose(line["y"], reference.predict(np.reshape(line["x"], (-1, 1))))
    assert f"{reference.score(X_train[:, [2]], target):.1%}" in markdown(view(at, VIEWS[1]))

    split = figures["split"]["data"]
    assert [t["name"] for t in split] == ["train rows", "test rows"]
    assert [m.value for m in view(at, VIEWS[2]).metric] == ["353", "89"]


def test_pick_a_feature(run_page, figure_data, sklearn_data):
    at = run_page(PAGE, query={"target_scaling": "none", "explorer.view": VIEWS[1]})  # a link opens the tab
    at.main.selectbox[0].set_value("s5").run()
    assert not at.exception
    _, _, (X_train, _, y_train, _) = sklearn_data
    line = figure_data(at.get("plotly_chart")[1])["data"][2]
    reference = LinearRegression().fit(X_train[:, [8]], y_train)
    np.testing.assert_allclose(line["y"], reference.predict(np.reshape(line["x"], (-1, 1))))
    assert "× s5" in markdown(at)


def test_fewer_histograms(run_page, figure_data):
    at = run_page(PAGE)
    at.main.multiselect[0].set_value(["bmi", "s5"]).run()
    assert not at.exception
    assert len(figure_data(at.get("plotly_chart")[0])["data"]) == 2


@pytest.mark.parametrize(
    "query, features",
    [
        ({"source": "sine"}, 1),
        ({"source": "surface"}, 2),
        ({"scaling": "raw"}, 10),
        ({"scaling": "standardized"}, 10),
    ],
)
def test_every_source(run_page, figure_data, query, features):
    at = run_page(PAGE, query=query)
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    assert len(figure_data(at.get("plotly_chart")[0])["data"]) == features
    text = markdown(at)
    assert "standard deviation 1. Only" not in text  # the tutorial's claim is only corrected where it was made
    if features < 10:
        assert "No descriptions are known" in " ".join(c.value for c in at.caption)
    assert sum(len(view(at, name).get("plotly_chart")) for name in VIEWS) == 4


def test_raw_units_say_the_spread_differs(run_page):
    at = run_page(PAGE, query={"scaling": "raw"})
    X = load_diabetes(scaled=False).data
    spread = X.std(axis=0)
    assert f"a factor of {spread.max() / spread.min():,.0f}" in markdown(at)


def test_switching_the_sidebar_dataset(run_page, figure_data):
    at = run_page(PAGE)
    at.sidebar.selectbox(key="source").set_value("surface").run()
    assert not at.exception
    assert [t["type"] for t in figure_data(at.get("plotly_chart")[0])["data"]] == ["bar", "bar"]
    at.sidebar.selectbox(key="source").set_value("diabetes").run()
    assert not at.exception
    assert len(figure_data(at.get("plotly_chart")[0])["data"]) == 10


def upload(at, content):
    return upload_csv(at, "mine.csv", content)


def test_a_csv(run_page, figure_data):
    content = ("a,b,c,target\n" + "\n".join(f"{i},{i % 7},{(i * 13) % 5},{2 * i + i % 3}" for i in range(60))).encode()
    at = upload(run_page(PAGE), content)
    assert not at.exception and not at.error
    assert len(figure_data(at.get("plotly_chart")[0])["data"]) == 3
    assert figure_data(view(at, VIEWS[1]).get("plotly_chart")[0])["data"][0]["x"][0] == "a"  # most correlated


def test_a_wide_csv_is_capped(run_page, charts):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 40))
    rows = np.c_[X, X[:, 5] + 0.1 * rng.normal(size=120)]
    content = (
        ",".join([f"f{i}" for i in range(40)] + ["target"])
        + "\n"
        + "\n".join(",".join(f"{v:.5f}" for v in row) for row in rows)
    ).encode()
    at = upload(run_page(PAGE), content)
    assert not at.exception and not at.error
    figures = every_chart(at, charts)
    assert len(figures["histogram"]["data"]) == 12
    heat = figures["corr"]["data"][0]
    assert len(heat["x"]) == 31 and heat["x"][0] == "f5"  # the 30 most correlated features, and the target
    assert "Showing the 30 features most correlated with the target, of 40." in " ".join(
        c.value for c in view(at, VIEWS[1]).caption
    )
