"""The shared frame in AppTest: the sidebar's choices and the URL, and a CSV upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import upload_csv

from ui import frame as ui_frame
from ui.frame import KEYS, LINK_CHECKS, DataChoice

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("*.py"))

GOOD_CSV = (
    "height,weight,city,score\n"
    + "\n".join(f"{150 + i},{50 + (i * 7) % 30},{'Oslo' if i % 2 else 'Lima'},{i * 0.5 + (i % 3)}" for i in range(40))
).encode()


def widget(at, field):
    """The sidebar widget that edits one DataChoice field."""
    return at.sidebar.selectbox(key=KEYS[field]) if field != "split_seed" else at.sidebar.number_input(key=KEYS[field])


def choice(at):
    """The DataChoice the sidebar's widgets hold."""
    values = {field: at.session_state[key] for field, key in KEYS.items() if key in at.session_state}
    return DataChoice(**values)


# -- choices <-> URL ----------------------------------------------------------------------------


def test_the_link_checks_take_every_choice_and_reject_others():
    for field, check in LINK_CHECKS.items():
        table = {
            "source": ui_frame.data.SOURCES,
            "scaling": ui_frame.data.FEATURE_SCALINGS,
            "target_scaling": ui_frame.data.TARGET_SCALINGS,
            "seed": ["0", "42", "4294967295"],
        }[field]
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
    at = run_page(query={"source": "surface", "scaling": "raw", "target_scaling": "none", "seed": "5"})
    assert not at.exception and not at.warning
    assert [widget(at, f).value for f in ("source", "scaling", "target_scaling", "split_seed")] == [
        "surface",
        "raw",
        "none",
        5,
    ]


@pytest.mark.parametrize(
    "name, value",
    [
        ("source", "mnist"),
        ("scaling", "minmax"),
        ("target_scaling", "log"),
        ("seed", "-1"),
        ("seed", "4.5"),
        ("seed", "99999999999"),
        ("seed", "forty-two"),
    ],
)
def test_a_bad_link_value_falls_back_with_a_warning(run_page, name, value):
    at = run_page(query={name: value, "target_scaling": "none"} if name != "target_scaling" else {name: value})
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


# -- CSV upload --------------------------------------------------------------------------------


upload = upload_csv


def test_csv_source_without_a_file_shows_diabetes_and_says_so(run_page):
    at = run_page(query={"source": "csv"})
    assert not at.exception and not at.error
    assert "Upload a CSV" in at.info[0].value
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"a,b\n1,2\n", "at least 10"),
        (b"\x00\x01binary", "not a text csv"),
        (b"1,2\n3,4\n" * 10, "no header row"),
    ],
    ids=["too-short", "binary", "no-header"],
)
def test_a_bad_csv_shows_its_error_and_keeps_everything_else(run_page, content, message):
    at = run_page(query={"seed": "9", "target_scaling": "none"})
    upload(at, "bad.csv", content)
    assert not at.exception
    assert len(at.error) == 1
    assert message in at.error[0].value.lower() and "bad.csv" in at.error[0].value
    assert len(at.get("plotly_chart")) == 1  # the page still works, on the diabetes data
    # A CSV starts standardized (issue 10: raw units made every default run blow up).
    assert choice(at) == DataChoice("csv", "standardized", "none", 9, target=choice(at).target)


def test_a_good_csv_is_used_and_its_target_can_be_chosen(run_page):
    at = upload(run_page(), "people.csv", GOOD_CSV)
    assert not at.exception and not at.error
    target = widget(at, "target")
    assert target.options == ["height", "weight", "score"]  # 'city' is text: dropped
    assert target.value == "score"  # the last column
    assert "CSV: people.csv" in " ".join(c.value for c in at.sidebar.caption)
    target.set_value("weight").run()
    dataset = ui_frame.load_dataset(choice(at), at.session_state[ui_frame.CSV_KEY])
    assert dataset.target_name == "weight" and dataset.feature_names == ("height", "score")
