"""A user's own CSV on every training page, with the defaults: read, standardized, trained, no blow-up.

The file is scikit-learn's copy of the UCI wine table (BSD-3 package, data CC BY 4.0), read from
the installed package rather than shipped: 178 rows, 13 features in very different units (proline
in the hundreds to thousands), a description line instead of a header. In raw units the default
runs blew up on every page; standardized by default, they train.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sklearn.datasets
from apptest import upload_csv

WINE = Path(sklearn.datasets.__file__).parent / "data" / "wine_data.csv"
# Each training page and how its Train is pressed.
PAGES = {
    "pages/2_Linear_gradient_descent.py": "Train",
    "pages/3_Activation_comparison.py": "Train",
    "pages/4_Deep_network.py": "Train",
    "pages/5_Compare_runs.py": "Train the grid",
}


def upload_wine(at):
    return upload_csv(at, "wine_data.csv", WINE.read_bytes())


@pytest.mark.parametrize("page", list(PAGES))
def test_a_real_csv_trains_with_the_defaults(run_page, labelled_button, page):
    at = upload_wine(run_page(page))
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="scaling").value == "standardized"
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "wine_data.csv" in captions and "standardized with the training rows' mean and std" in captions
    labelled_button(at, PAGES[page]).click().run()
    assert not at.exception and not at.error
    blown = [w.value for w in at.warning if "diverged" in w.value or "blew up" in w.value]
    assert not blown, blown


def test_the_target_picker_offers_only_usable_columns_and_says_it_guessed(run_page):
    rows = "\n".join(f"{i % 7},{(i * 3) % 11},{i * 0.5 + i % 3}," for i in range(30))
    content = ("a,b,score,empty\n" + rows + "\n").encode()
    at = upload_csv(run_page(), "gap.csv", content)
    assert not at.exception and not at.error
    target = at.sidebar.selectbox(key="target")
    assert target.options == ["a", "b", "score"]  # 'empty' has no values: it cannot be predicted
    assert target.value == "score"
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Predicting **score**, the last usable column: is that what you want?" in captions
    target.set_value("a").run()
    assert "Predicting **a**, your choice." in " ".join(c.value for c in at.sidebar.caption)
