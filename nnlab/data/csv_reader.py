"""Reading a user's CSV file into numeric features and a target, with a `DataError` for anything unreadable."""
from __future__ import annotations

import csv as _csv
import io
import math
import numbers
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import MIN_ROWS, DataError

MAX_CSV_BYTES = 50 * 1024 * 1024  # matches maxUploadSize = 50 in .streamlit/config.toml
MAX_CSV_COLUMNS = 1000  # a dense layer's W is (d, h): beyond this a page becomes unusably slow

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


