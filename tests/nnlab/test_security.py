"""Security settings hold: upload size capped in config and again in code, XSRF on, no pickles.

- .streamlit/config.toml sets server.maxUploadSize and keeps server.enableXsrfProtection on;
- nnlab.data.read_csv refuses more than MAX_CSV_BYTES (the same number of bytes) from a path,
  bytes, or a file-like, checking a declared size before reading anything;
- an uploaded CSV is parsed as data: code in its cells is never evaluated;
- History.load reads with allow_pickle=False: a crafted .npz holding a pickled object array (whose
  unpickling would run code) is refused with ValueError, and the code never runs.
"""

from __future__ import annotations

import io
import pickle
import tomllib
from pathlib import Path

import numpy as np
import pytest

from nnlab import History
from nnlab.data import MAX_CSV_BYTES, DataError, read_csv

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"
MIB = 1024 * 1024  # streamlit reads maxUploadSize in megabytes of 2**20 bytes


@pytest.fixture(scope="module")
def server_config():
    with CONFIG.open("rb") as f:
        return tomllib.load(f)["server"]


def test_config_caps_uploads_and_the_code_uses_the_same_cap(server_config):
    size = server_config["maxUploadSize"]
    assert isinstance(size, int) and 1 <= size <= 200, "a deliberate cap, below streamlit's 200 MB default"
    assert MAX_CSV_BYTES == size * MIB


def test_config_keeps_xsrf_protection_on(server_config):
    assert server_config["enableXsrfProtection"] is True
    # XSRF protection needs CORS on; turning CORS off would silently disable it.
    assert server_config.get("enableCORS", True) is True


def test_streamlit_reads_the_same_settings(monkeypatch):
    """The values streamlit itself resolves from the file (a typo'd key would be ignored there)."""
    from streamlit import config

    monkeypatch.chdir(ROOT)  # streamlit reads .streamlit/config.toml from the working directory
    saved = config._config_options  # put back afterwards: other tests may have set options
    try:
        options = config.get_config_options(force_reparse=True, options_from_flags={})
        assert options["server.maxUploadSize"].value * MIB == MAX_CSV_BYTES
        assert options["server.enableXsrfProtection"].value is True
        assert options["server.maxUploadSize"].where_defined.endswith("config.toml")
    finally:
        config._config_options = saved


# -- the cap again in code --------------------------------------------------------------------


def _csv_of(n_bytes: int) -> bytes:
    """A valid numeric CSV padded with blank lines to exactly n_bytes."""
    body = "x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(20))
    return (body + "\n" * (n_bytes - len(body))).encode()


def test_read_csv_accepts_a_file_at_the_cap_and_refuses_one_byte_more():
    limit = 4096  # the same code path as MAX_CSV_BYTES, at a size that is cheap to build
    X, y = read_csv(_csv_of(limit), max_bytes=limit)
    assert X.shape == (20, 1)
    with pytest.raises(DataError, match=r"4,097 bytes .* over the limit of 4,096 bytes"):
        read_csv(_csv_of(limit + 1), max_bytes=limit)


def test_read_csv_default_cap_is_max_csv_bytes():
    with pytest.raises(DataError, match=f"over the limit of {MAX_CSV_BYTES:,} bytes"):
        read_csv(b"x" * (MAX_CSV_BYTES + 1))


class _Upload(io.BytesIO):
    """Like streamlit's UploadedFile: a BytesIO that knows its size; counts reads."""

    def __init__(self, content: bytes, size: int):
        super().__init__(content)
        self.size, self.reads = size, 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)

    def getvalue(self):
        self.reads += 1
        return super().getvalue()


def test_an_upload_declaring_a_size_over_the_cap_is_refused_before_it_is_read():
    upload = _Upload(b"x,y\n1,2\n", size=MAX_CSV_BYTES + 1)
    with pytest.raises(DataError, match="over the limit"):
        read_csv(upload)
    assert upload.reads == 0


def test_a_stream_without_a_size_is_read_no_further_than_the_cap():
    class Endless(io.RawIOBase):
        """A stream that never ends: only a bounded read can finish."""

        def __init__(self):
            self.served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"1" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(DataError, match="over the limit of 1,000 bytes"):
        read_csv(stream, max_bytes=1000)
    assert stream.served <= 1001


def test_a_path_over_the_cap_is_refused_from_its_size(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:  # sparse: no disk space used
        f.truncate(MAX_CSV_BYTES + 1)
    with pytest.raises(DataError, match="over the limit"):
        read_csv(big)


def test_csv_cells_are_data_never_code(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    rows = "".join(f"{i},\"{payload}\",=cmd|'/C calc'!A0,{i * 2}\n" for i in range(12))
    X, y = read_csv(f"a,code,formula,target\n{rows}".encode())
    assert list(X.columns) == ["a"] and set(X.attrs["dropped"]) == {"code", "formula"}
    assert not marker.exists()


def test_a_pickle_uploaded_as_csv_is_refused_as_binary(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(DataError):
        read_csv(pickle.dumps(_RunsCode(marker), protocol=0))
    with pytest.raises(DataError, match="not a text CSV"):
        read_csv(pickle.dumps(_RunsCode(marker)))
    assert not marker.exists()


# -- no pickles in saved histories ------------------------------------------------------------


class _RunsCode:
    """Unpickling this touches `marker`: the stand-in for a malicious payload."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _history() -> History:
    """A small real history, from two epochs of a tiny network."""
    import nnlab

    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return nnlab.MLP(hidden=(2,), epochs=2).fit(X, [0.0, 1.0, 2.0]).history_


def test_history_round_trips_without_pickles(tmp_path):
    history = _history()
    path = tmp_path / "history.npz"
    history.save(path)
    with np.load(path, allow_pickle=False) as saved:  # every member loads without pickle
        assert all(saved[name].dtype != object for name in saved.files)
    assert History.load(path).equals(history)


@pytest.mark.parametrize("member", ["loss", "weights_0", "meta"])
def test_history_load_refuses_a_pickled_object_array(tmp_path, member):
    """An .npz like save()'s, with one member replaced by an object array that runs code."""
    path, marker = tmp_path / "evil.npz", tmp_path / "ran"
    history = _history()
    history.save(path)
    with np.load(path, allow_pickle=False) as saved:
        arrays = {name: saved[name] for name in saved.files}
    arrays[member] = np.array([_RunsCode(marker), 1.0], dtype=object)
    np.savez(path, **arrays)  # np.savez pickles object arrays
    with pytest.raises(ValueError, match="allow_pickle=False"):
        History.load(path)
    assert not marker.exists(), "loading a history must never unpickle"


def test_history_load_refuses_a_plain_pickle_file(tmp_path):
    path, marker = tmp_path / "evil.npz", tmp_path / "ran"
    path.write_bytes(pickle.dumps(_RunsCode(marker)))
    with pytest.raises(ValueError, match="pickled"):
        History.load(path)
    assert not marker.exists()


def test_nnlab_loads_arrays_only_with_allow_pickle_false():
    """No np.load in nnlab/ or ui/ without allow_pickle=False, and no pickle module at all."""
    offenders = []
    for folder in ("nnlab", "ui", "pages"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                code = line.split("#", 1)[0]
                if (
                    ("np.load(" in code and "allow_pickle=False" not in code)
                    or "allow_pickle=True" in code
                    or "import pickle" in code
                    or "pickle.load" in code
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders
