"""Datasets: scikit-learn's diabetes data, two synthetic sets, and users' CSV files.

Everything a page trains on comes through `make_dataset`, which returns a frozen `Dataset` of
float64 arrays. Every problem with user input is a `DataError` with a message a dashboard can
show as it is.
"""

from __future__ import annotations

import csv as _csv
import functools
import io
import math
import numbers
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


class DataError(ValueError):
    """A dataset cannot be built; the message says why, in words for the dashboard's user."""


MAX_CSV_BYTES = 50 * 1024 * 1024  # matches maxUploadSize = 50 in .streamlit/config.toml
MAX_CSV_COLUMNS = 1000  # a dense layer's W is (d, h): beyond this a page becomes unusably slow
MIN_ROWS = 10  # fewer rows leave a test split of one or two points, which measures nothing

FEATURES = {
    "age": ("Age", "Age in years at baseline."),
    "sex": ("Sex", "Sex, recorded as one of two codes (1 or 2 in the raw data)."),
    "bmi": ("Body mass index", "Weight in kilograms divided by the square of height in metres."),
    "bp": ("Blood pressure", "Average blood pressure (mean arterial pressure, mm Hg)."),
    "s1": ("Total cholesterol (TC)", "Total serum cholesterol (mg/dL)."),
    "s2": ("LDL", "Low-density lipoproteins, the 'bad' cholesterol (mg/dL)."),
    "s3": ("HDL", "High-density lipoproteins, the 'good' cholesterol (mg/dL)."),
    "s4": ("Total cholesterol / HDL (TCH)", "Ratio of total cholesterol to HDL."),
    "s5": ("Triglycerides (LTG)", "Log of the serum triglycerides level."),
    "s6": ("Blood sugar (GLU)", "Blood glucose level (mg/dL)."),
}

FEATURE_SCALINGS = {
    "sklearn": "As shipped by scikit-learn: each column mean-centred with unit L2 norm (std ≈ 0.048, not 1).",
    "raw": "Original units (years, mm Hg, mg/dL, …); columns differ in scale by orders of magnitude.",
    "standardized": "Each column z-scored (mean 0, std 1) with statistics of the training split only.",
}

TARGET_SCALINGS = {
    "none": "Target in its original units.",
    "standardize": "Target z-scored with the training split's mean and std; results shown back in original units.",
}

SOURCES = {
    "diabetes": "Diabetes progression (442 patients, 10 features)",
    "sine": "Noisy sine wave (1 feature)",
    "surface": "Smooth 2-D surface sin(x1)·cos(x2) (2 features)",
    "csv": "Upload your own CSV",
}

TARGET_NAME = "progression"

_DIABETES_NAMES = {
    "sklearn": "Diabetes (as shipped by scikit-learn)",
    "raw": "Diabetes (raw units)",
    "standardized": "Diabetes (standardized with training statistics)",
}

# Cells read as missing (compared case-insensitively, after stripping whitespace).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a"})
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_BOOLEANS = {"true": 1.0, "yes": 1.0, "false": 0.0, "no": 0.0}
# Thousands-grouped numbers per delimiter: (pattern, cleaner). In ';' files the comma is the
# decimal mark (European spreadsheet exports), so '.' is the group separator there.
_GROUPED = {
    ",": (r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", lambda s: s.replace(",", "")),
    "\t": (r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", lambda s: s.replace(",", "")),
    ";": (r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?", lambda s: s.replace(".", "").replace(",", ".")),
}
_SNIFF_CHARS = 65536
_SNIFF_LINES = 50
_SAMPLE_CELLS = 200  # a column whose first cells are all text is dropped without reading the rest


# ---------------------------------------------------------------------------------------------
# Built-in data


@functools.lru_cache(maxsize=2)
def _sklearn_diabetes(scaled: bool) -> tuple[pd.DataFrame, pd.Series]:
    """The diabetes table as loaded by scikit-learn: X (442, 10), y (442,); cached, never mutate."""
    # Imported here: scikit-learn costs about a second to import, and only this path needs it.
    from sklearn.datasets import load_diabetes as _load

    bunch = _load(scaled=scaled, as_frame=True)
    return bunch.data.astype(np.float64), bunch.target.astype(np.float64).rename(TARGET_NAME)


def _zscore_columns(X: pd.DataFrame) -> pd.DataFrame:
    """Each column minus its mean over its std (ddof 0): (n, d) -> (n, d)."""
    return (X - X.mean()) / X.std(ddof=0)


_DIABETES_TABLES = {
    "sklearn": lambda: _sklearn_diabetes(True),
    "raw": lambda: _sklearn_diabetes(False),
    "standardized": lambda: (_zscore_columns(_sklearn_diabetes(False)[0]), _sklearn_diabetes(False)[1]),
}


def load_diabetes(scaling: str = "sklearn") -> tuple[pd.DataFrame, pd.Series]:
    """The 442-patient diabetes table: X (442, 10) with FEATURES as columns, y (442,) 'progression'.

    "sklearn" is scikit-learn's shipped scaling (unit L2 norm per column, std ≈ 0.048);
    "raw" is the original units; "standardized" z-scores the raw columns over all 442 rows
    (ddof 0). `make_dataset` instead standardizes with training statistics only.
    """
    _check_choice("scaling", scaling, FEATURE_SCALINGS)
    X, y = _DIABETES_TABLES[scaling]()
    return X.copy(), y.copy()  # copies, so a caller's edits cannot reach the cache


def make_sine(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """y = sin(x) + noise·N(0, 1) with x uniform on [-3, 3]: X (n, 1) column 'x', y (n,) 'y'."""
    _check_synthetic_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, n_samples)
    y = np.sin(x) + noise * rng.standard_normal(n_samples)
    return pd.DataFrame({"x": x}), pd.Series(y, name="y")


def make_surface(n_samples: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """y = sin(x1)·cos(x2) + noise·N(0, 1) on [-3, 3]²: X (n, 2) columns 'x1', 'x2', y (n,) 'y'."""
    _check_synthetic_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(-3.0, 3.0, (2, n_samples))
    y = np.sin(x1) * np.cos(x2) + noise * rng.standard_normal(n_samples)
    return pd.DataFrame({"x1": x1, "x2": x2}), pd.Series(y, name="y")


def _check_synthetic_args(n_samples, noise) -> None:
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < MIN_ROWS:
        raise DataError(f"n_samples must be a whole number of at least {MIN_ROWS}, not {n_samples!r}")
    if not isinstance(noise, numbers.Real) or not math.isfinite(noise) or noise < 0:
        raise DataError(f"noise must be a finite number ≥ 0, not {noise!r}")


def _check_choice(what: str, value, table: dict) -> None:
    if not isinstance(value, str) or value not in table:
        allowed = ", ".join(repr(k) for k in table)
        raise DataError(f"unknown {what} {value!r}; choose one of {allowed}")


# ---------------------------------------------------------------------------------------------
# CSV


def read_csv(source, target: str | None = None, max_bytes: int = MAX_CSV_BYTES) -> tuple[pd.DataFrame, pd.Series]:
    """Read a user's CSV as numbers: X (n, d) float64 features, y (n,) float64 target.

    `source` is a path, bytes, or a binary file-like (e.g. Streamlit's UploadedFile);
    `target` names the target column, None meaning the last named column. The file is parsed
    as data only. Rules, in the order they are applied:

    - Size: over `max_bytes` is refused before the content is read (a path's size, a
      file-like's `.size`), and again after reading at most `max_bytes + 1` bytes.
    - Encoding: UTF-8 only. A UTF-8 byte-order mark is removed. Any NUL byte, a UTF-16 BOM, or
      more than 1% control characters means binary data. Invalid UTF-8 (e.g. Latin-1
      accents) is refused, naming the byte, its offset and its line: nothing is guessed.
    - Layout: the delimiter is the one of comma, semicolon and tab that splits the first
      lines into the same number (≥ 2) of fields, preferring more fields, then in that
      order. Double quotes quote fields (`""` inside is a quote); an unclosed quote, text
      after a closing quote (even a space), or a field over 131,072 characters is refused.
      Lines that are blank or hold only delimiters and spaces are skipped. The first
      remaining line is the header; if all its cells are numbers there is no header, which is
      refused. Every data row must have as many fields as the header (ragged rows are
      refused, naming the line).
    - Names: stripped of surrounding spaces; duplicates are refused; more than
      MAX_CSV_COLUMNS columns are refused; a column without a name is dropped if all its
      cells are empty (a trailing delimiter) and refused otherwise. At least MIN_ROWS rows.
    - Cells: stripped; MISSING_TOKENS ('', NA, N/A, NaN, null, None, #N/A) are missing. A
      column is numeric if every present cell is a plain number (`1`, `-2.5`, `1e3`, `inf`).
      Otherwise, if every present cell is a thousands-grouped number, it is converted: in
      comma and tab files `1,234.5` (quoted in a comma file) -> 1234.5; in semicolon files
      the comma is the decimal mark and '.' groups thousands: `1.234,5` -> 1234.5, `0,25`
      -> 0.25. Otherwise a column of only true/false/yes/no (any case) becomes 1/0. Any other
      column is dropped: its reason is in `X.attrs["dropped"]` ({name: reason}); conversions
      are in `X.attrs["converted"]` ({name: how}). A column with every cell missing is
      dropped too. A target that cannot be read as numbers is refused.
    - Values: missing cells and infinities (including overflow such as 1e400) in kept columns
      are refused, naming the columns, row counts and first lines; so is a feature or target
      column whose value is the same in every row, and a file without any numeric feature.

    Quote-free all-numeric files (the usual large upload) take a fast path, about 2 s for
    50 MB; other files go through the csv module at about 0.3 s per MB, so callers in the UI
    should cache the result. Raises DataError, and only DataError, for anything it cannot read.
    """
    text = _decode(_read_bytes(source, max_bytes))
    delimiter = _sniff_delimiter(text)
    table = _numeric_table(text, delimiter) or _general_table(text, delimiter)
    return _frames(table, target)


@dataclass
class _Table:
    """A parsed CSV: per column its name, values (n_rows,) float64 (NaN if missing) or None if dropped."""

    names: list[str]
    columns: list[np.ndarray | None]
    notes: list[str]  # per column: how it was converted ("" if plain), or why it was dropped
    lines: np.ndarray | None  # each data row's line in the file (its last, if quotes span lines)


def _frames(table: _Table, target) -> tuple[pd.DataFrame, pd.Series]:
    """X (n, d) and y (n,) from a parsed table, after the checks that need the target."""
    target_index = _target_index(table.names, target)
    kept, dropped, converted = {}, {}, {}
    for i, (name, values, note) in enumerate(zip(table.names, table.columns, table.notes)):
        label = name or f"(column {i + 1})"
        if i == target_index:
            if values is None:
                raise DataError(f"the target column {name!r} is not numeric: {note}")
            y = pd.Series(values, name=name)
        elif values is None:
            dropped[label] = note
        elif not name:
            raise DataError(f"column {i + 1} has values but no name in the header row; give every column a name")
        else:
            kept[name] = values
        if values is not None and note:
            converted[label] = note
    _check_features(kept, dropped)
    _check_values({**kept, y.name: y.to_numpy()}, y.name, table.lines)
    X = pd.DataFrame(kept, dtype=np.float64)
    X.attrs["dropped"] = dropped
    X.attrs["converted"] = converted
    return X, y


def _numeric_table(text: str, delimiter: str) -> _Table | None:
    """Fast path for the common large upload (no quotes, every cell a finite number); else None.

    pandas' C parser is ~20x faster than the csv module, but it pads short rows silently and
    words its errors for programmers. So it may only accept: anything it rejects or that
    looks irregular goes to `_general_table`, which decides and explains.
    """
    if '"' in text:
        return None
    body_start, header = _header_line(text, delimiter)
    if header is None:
        return None
    names = _check_header(header)
    try:
        values = pd.read_csv(
            io.StringIO(text[body_start:]), sep=delimiter, header=None, index_col=False, dtype=np.float64,
            na_filter=False, skipinitialspace=True, skip_blank_lines=True, quoting=_csv.QUOTE_NONE, engine="c",
        ).to_numpy()
    except Exception:  # any failure at all defers to the exact parser, which words it for users
        return None
    n_rows, n_cols = values.shape
    # The parser raises on long rows and pads short ones; equal delimiter totals rule out the latter.
    if n_cols != len(names) or text.count(delimiter, body_start) != n_rows * (n_cols - 1):
        return None
    if not np.isfinite(values).all():
        return None  # missing or infinite cells: the exact parser names their lines
    _check_several_columns(names)
    _check_row_count(n_rows)
    return _Table(names, list(values.T.copy()), [""] * n_cols, None)


def _header_line(text: str, delimiter: str) -> tuple[int, list[str] | None]:
    """(offset just past the header line, its cells) for quote-free text; (0, None) if none."""
    start = 0
    for end in re.finditer(r"\r\n|\r|\n|\Z", text):
        cells = text[start : end.start()].split(delimiter)
        if any(cell.strip() for cell in cells):
            return end.end(), cells
        if end.end() == len(text):
            break
        start = end.end()
    return 0, None


def _general_table(text: str, delimiter: str) -> _Table:
    """Every file the fast path declines: the csv module, cell by cell, with exact messages."""
    names, cells, lines = _parse(text, delimiter)
    _check_several_columns(names)
    _check_row_count(len(cells))
    columns, notes = [], []
    for j in range(len(names)):
        values, note = _column_values(cells[:, j], delimiter, lines)
        columns.append(values)
        notes.append(note)
    return _Table(names, columns, notes, lines)


def _read_bytes(source, max_bytes: int) -> bytes:
    """The raw content of a path, bytes or file-like, refusing more than max_bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        data = _read_path(Path(source), max_bytes)
    elif hasattr(source, "read"):
        data = _read_stream(source, max_bytes)
    else:
        raise DataError(f"cannot read a CSV from a {type(source).__name__}; pass a path, bytes or a binary file")
    _check_size(len(data), max_bytes)
    return data


def _read_path(path: Path, max_bytes: int) -> bytes:
    try:
        is_dir, size = path.is_dir(), path.stat().st_size
    except (OSError, ValueError) as exc:  # ValueError: e.g. a NUL inside the path
        raise DataError(f"cannot open {str(path)!r}: {getattr(exc, 'strerror', None) or exc}") from exc
    if is_dir:
        raise DataError(f"{str(path)!r} is a folder, not a CSV file")
    _check_size(size, max_bytes)
    try:
        with path.open("rb") as f:
            return f.read(max_bytes + 1)
    except OSError as exc:
        raise DataError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from exc


def _read_stream(stream, max_bytes: int) -> bytes:
    size = getattr(stream, "size", None)  # Streamlit's UploadedFile knows its size up front
    if isinstance(size, numbers.Integral):
        _check_size(int(size), max_bytes)
    try:
        if hasattr(stream, "getvalue"):  # whole buffer, whatever the current position
            data = stream.getvalue()
        else:
            if getattr(stream, "seekable", lambda: False)():
                stream.seek(0)
            data = stream.read(max_bytes + 1)
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        raise DataError(f"cannot read the uploaded file: {exc}") from exc
    if isinstance(data, str):
        try:
            return data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DataError(f"the file's text cannot be encoded as UTF-8: {exc.reason}") from exc
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DataError(f"the file object returned {type(data).__name__}, not bytes")
    return bytes(data)


def _check_size(n_bytes: int, max_bytes: int) -> None:
    if n_bytes > max_bytes:
        raise DataError(
            f"the file is {n_bytes:,} bytes ({n_bytes / 2**20:.1f} MB), over the limit of "
            f"{max_bytes:,} bytes ({max_bytes / 2**20:g} MB)"
        )


def _decode(data: bytes) -> str:
    """UTF-8 text of the file, BOM removed; DataError for empty, binary or non-UTF-8 data."""
    if not data:
        raise DataError("the file is empty")
    if not data.strip():
        raise DataError("the file contains only whitespace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("the file is UTF-16 text; save it as UTF-8 CSV (e.g. 'CSV UTF-8' in Excel)")
    _check_not_binary(data)
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        line = data.count(b"\n", 0, offset) + 1
        raise DataError(
            f"byte 0x{data[offset]:02X} at offset {offset} (line {line}) is not valid UTF-8; the file is "
            "probably in another encoding such as Latin-1 or Windows-1252: save it as UTF-8 CSV"
        ) from exc
    if not text.strip():
        raise DataError("the file contains only whitespace" if text else "the file is empty")
    return text


def _check_not_binary(data: bytes) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DataError(
            f"this is not a text CSV file: it has a NUL byte at offset {nul} "
            "(binary data such as an Excel workbook, an archive or an image?)"
        )
    sample = np.frombuffer(data[:_SNIFF_CHARS], dtype=np.uint8)
    # Tab, LF, VT, FF and CR (9-13) are text; other C0 codes and DEL almost never are.
    control = int(np.count_nonzero(((sample < 32) & ((sample < 9) | (sample > 13))) | (sample == 127)))
    if control > max(1, sample.size // 100):
        raise DataError(
            f"this is not a text CSV file: {control} of its first {sample.size} bytes are control "
            "characters (binary data?)"
        )


def _sniff_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the first lines most consistently."""
    lines = re.split(r"\r\n|\r|\n", text[:_SNIFF_CHARS])
    if len(text) > _SNIFF_CHARS:
        lines = lines[:-1]  # possibly cut mid-line
    lines = [line for line in lines if line.strip()][:_SNIFF_LINES]
    best, best_key = ",", None
    for rank, delimiter in enumerate(_DELIMITERS):
        try:
            counts = [len(r) for r in _csv.reader(lines, delimiter=delimiter, skipinitialspace=True)]
        except _csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        key = (all(c == counts[0] for c in counts), counts[0], -rank)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def _parse(text: str, delimiter: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Header names (stripped), cells (n_rows, n_cols) object, and each row's line number (n_rows,)."""
    reader = _csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True)
    names, rows, lines = None, [], []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                names = _check_header(row)
                break
        if names is None:
            raise DataError("the file has no values, only delimiters and blank lines")
        width = len(names)
        for row in reader:  # the hot loop of the general path: keep it bare
            if len(row) == width:
                rows.append(row)
                lines.append(reader.line_num)
            elif any(cell.strip() for cell in row):
                raise DataError(
                    f"ragged rows: line {reader.line_num} has {len(row)} fields but the header has {width} "
                    f"({_DELIMITER_NAMES[delimiter]}-separated); every row needs one field per column"
                )
    except _csv.Error as exc:
        raise DataError(_csv_error_message(str(exc), _failing_record_line(text, delimiter))) from exc
    cells = np.array(rows, dtype=object).reshape(len(rows), width)
    # Rows of only delimiters and spaces (skipinitialspace leaves "") are padding, not data.
    blank = np.logical_and.reduce(cells == "", axis=1) if width else np.zeros(len(rows), dtype=bool)
    return names, cells[~blank], np.asarray(lines, dtype=np.int64)[~blank]


def _failing_record_line(text: str, delimiter: str) -> int:
    """First line of the record the csv module fails on (re-read only when there is an error)."""
    reader = _csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except _csv.Error:
        pass
    return start


def _csv_error_message(error: str, line: int) -> str:
    if "unexpected end of data" in error:
        return f"unbalanced quotes: a double quote in the row starting on line {line} is never closed"
    if "expected after" in error:
        return (
            f"line {line} has text (perhaps a space) after a closing double quote; quote the whole field and "
            'write a quote inside it as two quotes ("")'
        )
    if "field larger than field limit" in error:
        return f"line {line} has a field longer than {_csv.field_size_limit():,} characters"
    return f"line {line} cannot be read as CSV: {error}"


def _check_header(row: list[str]) -> list[str]:
    """Stripped column names; DataError for too many, a numeric first row, or duplicates."""
    names = [cell.strip() for cell in row]
    if len(names) > MAX_CSV_COLUMNS:
        raise DataError(f"the file has {len(names):,} columns; the limit is {MAX_CSV_COLUMNS:,}")
    present = [n for n in names if n]
    if all(_is_number(n) for n in present):
        shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
        raise DataError(
            f"no header row: the first row holds only numbers ({shown}); add a first row with column names"
        )
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name:
            seen.setdefault(name, []).append(i + 1)
    duplicates = {n: cols for n, cols in seen.items() if len(cols) > 1}
    if duplicates:
        listed = "; ".join(f"{n!r} (columns {', '.join(map(str, c))})" for n, c in duplicates.items())
        raise DataError(f"duplicate column names: {listed}; every column needs its own name")
    return names


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _target_index(names: list[str], target) -> int:
    """Index of the target column: the named one, or the last named column when target is None."""
    if target is None:
        return max(i for i, n in enumerate(names) if n)
    if not isinstance(target, str):
        raise DataError(f"the target must be a column name (text), not {type(target).__name__}")
    if target.strip() in names and target.strip():
        return names.index(target.strip())
    available = [n for n in names if n]
    shown = ", ".join(repr(n) for n in available[:20]) + (f", … ({len(available) - 20} more)" if len(available) > 20 else "")
    hint = [n for n in available if n.casefold() == target.strip().casefold()]
    suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise DataError(f"target column {target!r} not found{suggestion}; available columns: {shown}")


def _column_values(cells: np.ndarray, delimiter: str, lines) -> tuple[np.ndarray | None, str]:
    """(values (n,) float64 with NaN where missing, how converted) or (None, why dropped)."""
    head = pd.Series(cells[:_SAMPLE_CELLS], dtype=object).str.strip()
    head = head[~head.str.lower().isin(MISSING_TOKENS)]
    if head.size and np.isnan(_to_float(head)).all() and next(_conversions(head, delimiter), None) is None:
        # Text from its first cells on: dropped without parsing a column that can only fail.
        return None, f"text, not numbers (e.g. {head.iloc[0][:30]!r} on line {lines[head.index[0]]})"
    values = _to_float(cells)  # surrounding spaces are allowed, so most columns end here
    unparsed = np.flatnonzero(np.isnan(values))
    if unparsed.size == 0:
        return values, ""
    rest = pd.Series(cells[unparsed], dtype=object).str.strip()
    missing = np.zeros(len(cells), dtype=bool)
    missing[unparsed] = rest.str.lower().isin(MISSING_TOKENS).to_numpy()
    if missing.all():
        return None, "every cell is empty"
    values[unparsed] = _to_float(rest)  # cells padded with other whitespace (form feeds, NBSP)
    bad = np.flatnonzero(np.isnan(values) & ~missing)
    if bad.size == 0:
        return values, ""
    present = pd.Series(cells[~missing], dtype=object).str.strip()
    for parsed, note in _conversions(present, delimiter):
        if parsed is not None:
            values[~missing] = parsed
            return values, note
    example = f"{str(cells[bad[0]]).strip()[:30]!r} on line {lines[bad[0]]}"
    if bad.size == present.size:
        return None, f"text, not numbers (e.g. {example})"
    return None, f"{bad.size} of {len(cells)} values are not numbers (first: {example})"


def _conversions(present: pd.Series, delimiter: str):
    """Readings of a non-numeric column's present cells, in order: (values (m,) | None, note)."""
    pattern, clean = _GROUPED[delimiter]
    if present.str.fullmatch(pattern).all():
        yield _to_float(present.map(clean)), "thousands separators removed" + (
            ", decimal comma read as a point" if delimiter == ";" else ""
        )
    lower = present.str.lower()
    if lower.isin(_BOOLEANS).all():
        yield lower.map(_BOOLEANS).to_numpy(np.float64), "true/yes read as 1, false/no as 0"


def _to_float(cells) -> np.ndarray:
    """Each cell parsed as a plain number, NaN where it is not one: (m,) float64."""
    try:
        return np.asarray(pd.to_numeric(cells, errors="coerce"), dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        # Rare inputs (e.g. huge integers mixed with text) defeat the vectorised parser.
        return np.array([_float_or_nan(c) for c in cells], dtype=np.float64)


def _float_or_nan(cell: str) -> float:
    try:
        return float(pd.to_numeric(cell))
    except (ValueError, TypeError, OverflowError):
        return math.nan


def _check_several_columns(names: list[str]) -> None:
    named = [n for n in names if n]
    if len(named) == 1:
        raise DataError(
            f"the file has only one column ({named[0][:60]!r}); it needs at least one feature column and a "
            "target column, separated by commas, semicolons or tabs"
        )


def _check_row_count(n_rows: int) -> None:
    if n_rows == 0:
        raise DataError(f"the file has a header row but no data rows; at least {MIN_ROWS} rows are needed")
    if n_rows < MIN_ROWS:
        raise DataError(f"only {n_rows} data row{'s' if n_rows != 1 else ''}; at least {MIN_ROWS} are needed")


def _check_features(kept: dict, dropped: dict) -> None:
    if not kept:
        reasons = "; ".join(f"{name!r}: {why}" for name, why in list(dropped.items())[:10])
        raise DataError(f"no usable numeric feature column (dropped {reasons})")


def _check_values(columns: dict[str, np.ndarray], target_name: str, lines) -> None:
    """DataError naming columns with missing cells, infinities, or one value in every row."""
    for test, what, advice in (
        (np.isnan, "empty or missing cells", "fill them in or remove those rows"),
        (np.isinf, "infinite values", "replace them with finite numbers"),
    ):
        problems = []
        for name, values in columns.items():
            rows = np.flatnonzero(test(values))
            if rows.size:
                label = f"target {name!r}" if name == target_name else repr(name)
                at = ", ".join(str(lines[r]) for r in rows[:5]) + (", …" if rows.size > 5 else "")
                plural = "s" if rows.size != 1 else ""
                problems.append(f"{label}: {rows.size} row{plural} (line{plural} {at})")
        if problems:
            raise DataError(f"{what} in {'; '.join(problems)}; {advice}")
    constant = [name for name, v in columns.items() if name != target_name and (v == v[0]).all()]
    if constant:
        listed = ", ".join(f"{n!r} (always {columns[n][0]:g})" for n in constant[:10])
        raise DataError(f"feature columns with the same value in every row carry no information: {listed}; remove them")
    y = columns[target_name]
    if (y == y[0]).all():
        raise DataError(f"the target column {target_name!r} has the same value ({y[0]:g}) in every row; there is nothing to predict")


# ---------------------------------------------------------------------------------------------
# Train/test datasets


# eq=False: the generated __eq__/__hash__ would compare arrays element-wise and fail.
@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split: X_train (n_train, d), X_test (n_test, d), y_train (n_train,), y_test (n_test,)."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    target_mean: float
    target_std: float
    notes: tuple[str, ...] = ()

    def to_original_units(self, y_scaled) -> np.ndarray:
        """Undo the target scaling: y (n,) -> y · target_std + target_mean."""
        return np.asarray(y_scaled, dtype=np.float64) * self.target_std + self.target_mean


def _diabetes_source(scaling: str, csv, target) -> tuple[pd.DataFrame, pd.Series, str, tuple[str, ...]]:
    # Standardizing happens after the split (train statistics), so start from raw units.
    X, y = _DIABETES_TABLES["raw" if scaling == "standardized" else scaling]()
    return X, y, _DIABETES_NAMES[scaling], ()


def _sine_source(scaling: str, csv, target):
    return (*make_sine(), "Noisy sine: y = sin(x) + noise", ())


def _surface_source(scaling: str, csv, target):
    return (*make_surface(), "Surface: y = sin(x1)·cos(x2) + noise", ())


def _csv_source(scaling: str, csv, target):
    if csv is None:
        raise DataError("the 'csv' source needs a file: upload a CSV (csv= a path, bytes or file)")
    X, y = read_csv(csv, target=target)
    notes = [f"dropped column {n!r}: {why}" for n, why in X.attrs["dropped"].items()]
    notes += [f"column {n!r}: {how}" for n, how in X.attrs["converted"].items()]
    if scaling == "sklearn":
        notes.append("'sklearn' scaling applies to the diabetes data only; CSV columns are used as read")
    path = csv if isinstance(csv, (str, os.PathLike)) else getattr(csv, "name", None)
    label = Path(path).name if isinstance(path, (str, os.PathLike)) and str(path) else "upload"
    return X, y, f"CSV: {label}", tuple(notes)


_SOURCE_LOADERS = {
    "diabetes": _diabetes_source,
    "sine": _sine_source,
    "surface": _surface_source,
    "csv": _csv_source,
}
_STANDARDIZABLE = {"diabetes", "csv"}  # the synthetic sets are already on a unit scale


def make_dataset(
    source: str = "diabetes",
    scaling: str = "sklearn",
    target_scaling: str = "none",
    split_seed: int = 42,
    test_size: float = 0.2,
    csv=None,
    target: str | None = None,
) -> Dataset:
    """Load `source`, split it (train_test_split, random_state=split_seed), scale; deterministic.

    Diabetes with the defaults gives 353 train and 89 test rows, as in the tutorial.
    "standardized" z-scores features with the training split's mean and std (ddof 0), so no
    test information leaks into training; a column constant in the training split is only
    centred. The other scalings leave a CSV as read; the synthetic sets ignore `scaling`.
    "standardize" z-scores y with the training mean and std, kept as target_mean/target_std.
    """
    _check_choice("source", source, SOURCES)
    _check_choice("scaling", scaling, FEATURE_SCALINGS)
    _check_choice("target_scaling", target_scaling, TARGET_SCALINGS)
    X, y, name, notes = _SOURCE_LOADERS[source](scaling, csv, target)
    X_train, X_test, y_train, y_test = _split(X.to_numpy(np.float64), y.to_numpy(np.float64), test_size, split_seed)
    if scaling == "standardized" and source in _STANDARDIZABLE:
        constant = X.columns[np.all(X_train == X_train[:1], axis=0)]
        notes += tuple(f"column {c!r} is constant in the training split: centred, not scaled" for c in constant)
        X_train, X_test, _, _ = _standardize(X_train, X_test)
    target_mean, target_std = 0.0, 1.0
    if target_scaling == "standardize":
        y_train, y_test, mean, scale = _standardize(y_train, y_test)
        target_mean, target_std = float(mean), float(scale)
    return Dataset(
        name=name,
        X_train=X_train,
        X_test=X_test,
        y_train=y_train,
        y_test=y_test,
        feature_names=tuple(str(c) for c in X.columns),
        target_name=str(y.name),
        target_mean=target_mean,
        target_std=target_std,
        notes=notes,
    )


def _split(X: np.ndarray, y: np.ndarray, test_size, seed) -> tuple[np.ndarray, ...]:
    """train_test_split of X (n, d), y (n,) -> X_train, X_test, y_train, y_test."""
    from sklearn.model_selection import train_test_split  # lazily, like the diabetes loader

    if not isinstance(test_size, numbers.Real) or isinstance(test_size, bool) or not 0.0 < test_size < 1.0:
        raise DataError(f"test_size must be a fraction between 0 and 1, not {test_size!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise DataError(f"split_seed must be a whole number, not {seed!r}")
    try:
        return tuple(train_test_split(X, y, test_size=float(test_size), random_state=int(seed)))
    except ValueError as exc:  # e.g. a test share that leaves no training rows
        raise DataError(f"cannot split {len(y)} rows with test_size={test_size}: {exc}") from exc


def _standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train − mean) / scale, (test − mean) / scale, mean, scale: train mean and std (ddof 0) per column."""
    # A constant column's computed std can be a rounding residue (1e-17), not 0: test equality.
    constant = np.all(train == train[:1], axis=0)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below instead
        mean, std = train.mean(axis=0), train.std(axis=0)
        scale = np.where(constant, 1.0, std)
        train_z, test_z = (train - mean) / scale, (test - mean) / scale
    if not (np.all(np.isfinite(scale)) and np.all(np.isfinite(train_z)) and np.all(np.isfinite(test_z))):
        raise DataError("values are too large to standardize (their squares overflow); rescale the data")
    return train_z, test_z, mean, scale
