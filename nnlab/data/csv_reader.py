"""Reading a user's CSV file into numeric features and a target, with a `DataError` for anything unreadable.

pandas parses; this module decides what the parse means for a learner (which columns are numbers,
which are a row index, which can be the target) and words every refusal. The checks pandas does
not make (strict quoting, ragged short rows, field length) come before or after it, never in a
parser of our own.
"""

from __future__ import annotations

import csv as _csv
import io
import math
import numbers
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import MIN_ROWS, DataError

MAX_CSV_BYTES = 50 * 1024 * 1024  # matches maxUploadSize = 50 in .streamlit/config.toml
MAX_CSV_COLUMNS = 1000  # a dense layer's W is (d, h): beyond this a page becomes unusably slow

# Cells read as missing (compared case-insensitively, after stripping whitespace).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a"})
# pandas matches na_values exactly; these spellings cover the usual exports, the rest are caught per column.
_NA_VALUES = sorted({v for t in MISSING_TOKENS for v in (t, t.upper(), t.title())} | {"NaN", "N/A"})
_WHITESPACE = r"\s+"
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", _WHITESPACE: "whitespace"}
_BOOLEANS = {"true": 1.0, "yes": 1.0, "false": 0.0, "no": 0.0}
# Thousands-grouped numbers per delimiter: (pattern, cleaner); ASCII digits only, as float() reads
# "５" but pandas does not. In ';' files the comma is the
# decimal mark (European spreadsheet exports), so '.' is the group separator there.
_COMMA_GROUPS = (r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", lambda s: s.replace(",", ""))
_GROUPED = {
    ",": _COMMA_GROUPS,
    "\t": _COMMA_GROUPS,
    _WHITESPACE: _COMMA_GROUPS,
    ";": (r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?", lambda s: s.replace(".", "").replace(",", ".")),
}
_FIELD_LIMIT = _csv.field_size_limit()  # the csv module's 131,072: longer cells are not data a user typed
_SNIFF_CHARS = 65536
_SNIFF_LINES = 50
_SAMPLE_CELLS = 200  # a column whose first cells are all text is dropped without reading the rest
# Names a row-number column goes by (compared casefolded, without spaces, dots, '#' and '_').
_INDEX_NAMES = frozenset(
    {
        "",
        "index",
        "idx",
        "id",
        "obs",
        "observation",
        "row",
        "rownames",
        "rowname",
        "rownumber",
        "no",
        "nr",
        "number",
        "num",
        "n",
        "case",
        "record",
        "sample",
    }
)
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class CsvData:
    """A read CSV: X (n, d) float64 features, y (n,) float64 target, and what was done to get them."""

    X: pd.DataFrame
    y: pd.Series
    notes: tuple[str, ...]  # sentences for the user: columns left out, converted, rows dropped, header doubts
    dropped: dict[str, str]  # non-numeric column -> why it was dropped
    converted: dict[str, str]  # column -> how its text became numbers
    index_columns: tuple[str, ...]  # columns left out as row numbers


@dataclass(frozen=True)
class CsvColumns:
    """A CSV's columns before a target is chosen: names (all, in file order), the usable targets, notes."""

    names: tuple[str, ...]
    usable_targets: tuple[str, ...]  # numeric, not an index, ≥ MIN_ROWS values, not constant
    default_target: str | None  # the last column if usable, else the last usable one; None if none is
    notes: tuple[str, ...]


def read_csv(
    source, target: str | None = None, max_bytes: int = MAX_CSV_BYTES, **options
) -> tuple[pd.DataFrame, pd.Series]:
    """Read a user's CSV as numbers: X (n, d) float64 features, y (n,) float64 target.

    `source` is a path, bytes, or a binary file-like (e.g. Streamlit's UploadedFile); `target`
    names the target column, None meaning the last named column; `options` are load_csv's.
    X.attrs holds "dropped" ({name: why}) and "converted" ({name: how}); load_csv also gives the notes.
    Raises DataError, and only DataError, for anything it cannot read.
    """
    data = load_csv(source, target, max_bytes, **options)
    return data.X, data.y


def load_csv(
    source,
    target: str | None = None,
    max_bytes: int = MAX_CSV_BYTES,
    *,
    drop_missing: bool = False,
    keep_index: bool = False,
    header: bool = True,
) -> CsvData:
    """Read a user's CSV as numbers (X (n, d), y (n,)) with the notes a page shows beside it.

    Rules, in the order they are applied:

    - Size: over `max_bytes` is refused before the content is read (a path's size, a
      file-like's `.size`), and again after reading at most `max_bytes + 1` bytes.
    - Encoding: UTF-8 only (a BOM is removed). A NUL byte, a UTF-16 BOM or over 1% control
      characters means binary data; invalid UTF-8 is refused naming the byte, offset and line.
    - Layout: the delimiter is the one of comma, semicolon and tab that splits the first lines
      into the same number (≥ 2) of fields, preferring more fields; failing all three, runs of
      whitespace if they split every line alike. Double quotes quote fields; an unclosed quote,
      text after a closing quote, a field over 131,072 characters or a row with a different
      number of fields than the header is refused, naming the line. Blank lines and lines of only
      delimiters are skipped.
    - Header: the first line names the columns (`header=False`: there is none, columns are
      column_1 …). Names are stripped; duplicates, more than MAX_CSV_COLUMNS, or only numbers are
      refused. A header with some numbers among its names is kept with a warning note; a first
      line with numbers and another field count than the rows (scikit-learn's "150,4,setosa,…")
      is read as a description and skipped, with a note.
    - Cells: MISSING_TOKENS are missing; plain numbers, thousands-grouped numbers (`1,234.5`;
      in ';' files `1.234,5`) and true/false/yes/no columns are read as numbers; other columns are
      dropped (why: in `dropped`). A column whose every cell is missing is dropped.
    - Row index: an integer column counting 0, 1, 2, … or 1, 2, 3, … whose name is empty or
      index-like (Obs, id, index, Unnamed: 0, …) is left out unless `keep_index`.
    - Values: rows with missing cells are refused, naming how many and in which columns, or
      dropped when `drop_missing` (with a note). Infinities, a constant feature or target, and a
      file without any numeric feature are refused.
    """
    table = _read_table(source, max_bytes, header=header, keep_index=keep_index, target=target)
    return _frames(table, target, drop_missing)


def csv_columns(source, max_bytes: int = MAX_CSV_BYTES, *, keep_index: bool = False, header: bool = True) -> CsvColumns:
    """The columns of a CSV and which can be the target, without choosing one (DataError if unreadable)."""
    table = _read_table(source, max_bytes, header=header, keep_index=keep_index, target=None)
    usable = tuple(name for name, values in zip(table.names, table.columns) if name and _can_be_target(values))
    last = next((n for n in reversed(table.names) if n), None)
    default = last if last in usable else (usable[-1] if usable else None)
    notes = list(table.notes)
    if default != last and last is not None:
        i = table.names.index(last)
        why = table.reasons[i] or f"it has the same value in every row or fewer than {MIN_ROWS} values"
        notes.append(
            f"the last column {last!r} cannot be the target ({why})"
            + (f"; the target is {default!r} unless you choose another" if default else "")
        )
    return CsvColumns(tuple(n for n in table.names if n), usable, default, tuple(notes))


def _can_be_target(values: np.ndarray | None) -> bool:
    if values is None:
        return False
    present = values[np.isfinite(values)]
    return present.size >= MIN_ROWS and not (present == present[0]).all()


# --------------------------------------------------------------------------------------------
# From bytes to a table of float columns


@dataclass
class _Table:
    """A parsed CSV: per column its name, values (n_rows,) float64 (NaN if missing) or None if dropped."""

    names: list[str]
    columns: list[np.ndarray | None]
    reasons: list[str]  # per column: how it was converted ("" if plain), or why it was dropped
    lines: np.ndarray  # each data row's line in the file
    notes: list[str] = field(default_factory=list)
    index_columns: list[str] = field(default_factory=list)


def _read_table(source, max_bytes: int, header: bool, keep_index: bool, target) -> _Table:
    data = _read_bytes(source, max_bytes)
    text = _decode(data)
    delimiter = _sniff_delimiter(text)
    record_lines = _check_quotes(text, delimiter) if '"' in text and delimiter != _WHITESPACE else None
    names, body_start, first_line, notes = _header(text, delimiter, header)
    _check_several_columns(names)
    # pandas parses bytes faster than a text stream, which it would encode back to UTF-8.
    offset = len(text[:body_start].encode("utf-8")) + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
    frame = _parse_body(data, offset, delimiter, len(names), first_line)
    lines = _row_lines(frame, record_lines, first_line)
    present = ~frame.isna().all(axis=1).to_numpy()  # blank and delimiter-only lines are padding
    frame, lines = frame[present], lines[present]
    _check_row_count(len(frame))
    columns, reasons = [], []
    for j in range(len(names)):
        values, reason = _column_values(frame.iloc[:, j], delimiter, lines)
        columns.append(values)
        reasons.append(reason)
    table = _Table(names, columns, reasons, lines, notes)
    _leave_out_index_columns(table, keep_index, target)
    return table


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
    """The delimiter that splits the first lines most consistently: ',', ';', tab, else whitespace.

    Not csv.Sniffer: it guesses from character frequencies and, in numeric tables, picks '.'
    or a digit as often as the delimiter; four candidates and one rule are predictable.
    """
    lines = _LINE_END.split(text[:_SNIFF_CHARS])
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
    # Whitespace only when no delimiter splits the header: a tab file with one ragged row must be
    # refused as ragged, not re-read on spaces, which would shift that row's values into other columns.
    if best_key is None and _split_by_whitespace(lines):
        return _WHITESPACE
    return best


def _split_by_whitespace(lines: list[str]) -> bool:
    """Whether runs of spaces split the lines into the header's ≥ 2 fields: all of a few, 90% of many."""
    words = [len(line.split()) for line in lines]
    if not words or words[0] < 2:
        return False
    agree = sum(w == words[0] for w in words)
    return agree == len(words) or (len(words) >= MIN_ROWS and agree >= 0.9 * len(words))


def _check_quotes(text: str, delimiter: str) -> np.ndarray:
    """Each record's last line (n_records,), from a strict csv pass; DataError naming a quoting fault.

    pandas reads `"3"a` as `3a` and a stray quote as the rest of the file: the csv module in
    strict mode refuses both, and its line count places the fault.
    """
    reader = _csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True)
    lines, start = [], 1
    try:
        for _ in reader:
            lines.append(reader.line_num)
            start = reader.line_num + 1
    except _csv.Error as exc:
        raise DataError(_csv_error_message(str(exc), start)) from exc
    return np.asarray(lines, dtype=np.int64)


def _csv_error_message(error: str, line: int) -> str:
    if "unexpected end of data" in error:
        return f"unbalanced quotes: a double quote in the row starting on line {line} is never closed"
    if "expected after" in error:
        return (
            f"line {line} has text (perhaps a space) after a closing double quote; quote the whole field and "
            'write a quote inside it as two quotes ("")'
        )
    if "field larger than field limit" in error:
        return f"line {line} has a field longer than {_FIELD_LIMIT:,} characters"
    return f"line {line} cannot be read as CSV: {error}"


def _split_line(line: str, delimiter: str) -> list[str]:
    """One line's cells, unstripped."""
    if delimiter == _WHITESPACE:
        return line.split()
    if '"' not in line:
        return line.split(delimiter)
    try:
        return next(_csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True), [])
    except _csv.Error as exc:  # a quoted newline inside the header: rare enough to refuse
        raise DataError(
            "the header row has a line break inside quotes; put every column name on the first line"
        ) from exc


def _lines(text: str):
    """(line number, offset of its start, offset just past it, line) for each line of text."""
    start = 0
    for number, end in enumerate(re.finditer(r"\r\n|\r|\n|\Z", text), 1):
        yield number, start, end.end(), text[start : end.start()]
        if end.end() >= len(text):
            return
        start = end.end()


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _header(text: str, delimiter: str, header: bool) -> tuple[list[str], int, int, list[str]]:
    """(names, offset where the rows start, line number of the first row, notes)."""
    found = []
    for number, start, end, line in _lines(text):
        cells = _split_line(line, delimiter)
        if not _is_blank(cells):
            found.append((number, start, end, cells))
            if len(found) == 2:
                break
    if not found:
        raise DataError("the file has no values, only delimiters and blank lines")
    (number, start, end, cells), notes = found[0], []
    if not header:
        return _numbered(len(cells)), start, number, notes
    numeric = [c.strip() for c in cells if c.strip() and _is_number(c.strip())]
    if numeric and len(found) == 2 and len(found[1][3]) != len(cells):
        width = len(found[1][3])
        shown = ",".join(c.strip() for c in cells[:3]) + (",…" if len(cells) > 3 else "")
        notes.append(
            f"the first line ({shown!r}) holds numbers and {len(cells)} fields where the rows have {width}: "
            f"read as a description, not column names; the columns are named column_1 … column_{width}"
        )
        return _numbered(width), end, number + 1, notes
    names = _check_header(cells)
    if numeric:
        listed = ", ".join(repr(n) for n in numeric[:3]) + (f" and {len(numeric) - 3} more" if len(numeric) > 3 else "")
        notes.append(
            f"the header row looks like data: {listed} {'is a number' if len(numeric) == 1 else 'are numbers'}, "
            "not column names; check that the first line of the file names the columns"
        )
    return names, end, number + 1, notes


def _numbered(width: int) -> list[str]:
    if width > MAX_CSV_COLUMNS:
        raise DataError(f"the file has {width:,} columns; the limit is {MAX_CSV_COLUMNS:,}")
    return [f"column_{j + 1}" for j in range(width)]


def _check_header(row: list[str]) -> list[str]:
    """Stripped column names; DataError for too many, a numeric first row, or duplicates."""
    names = [cell.strip() for cell in row]
    if len(names) > MAX_CSV_COLUMNS:
        raise DataError(f"the file has {len(names):,} columns; the limit is {MAX_CSV_COLUMNS:,}")
    present = [n for n in names if n]
    if all(_is_number(n) for n in present):
        shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
        raise DataError(
            f"no header row: the first row holds only numbers ({shown}); add a first row with column names "
            "(or read the file without a header)"
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


def _parse_body(data: bytes, offset: int, delimiter: str, width: int, first_line: int) -> pd.DataFrame:
    """The rows from byte `offset` on as pandas reads them: (n_records, width), blank lines as NaN rows."""
    stream = io.BytesIO(data)
    stream.seek(offset)  # pandas reads on from here: the body is never copied out of the file
    try:
        with warnings.catch_warnings():  # ParserWarning on cut rows: the ragged check below words it
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                stream,
                sep=delimiter,
                header=None,
                names=range(width),
                index_col=False,
                encoding="utf-8",
                skipinitialspace=True,
                skip_blank_lines=False,
                keep_default_na=False,
                na_values=_NA_VALUES,
                low_memory=False,
                engine="c",
            )
    except Exception as exc:  # pandas words its errors for programmers: find the line ourselves
        raise DataError(
            _ragged_message(data[offset:], delimiter, width, first_line)
            or f"the rows cannot be read as CSV: {str(exc).strip().splitlines()[-1][:200]}"
        ) from exc
    # pandas pads short rows with NaN and, with index_col=False, cuts long ones: count fields per line.
    if delimiter == _WHITESPACE or not _every_line_has(data, offset, delimiter, width - 1):
        message = _ragged_message(data[offset:], delimiter, width, first_line)
        if message:
            raise DataError(message)
    return frame


def _every_line_has(data: bytes, offset: int, delimiter: str, count: int) -> bool:
    """True when every line from byte `offset` on holds exactly `count` delimiters, so no row is ragged.

    Vectorised, so a clean 20 MB file costs milliseconds; any other line (a blank one, a quoted
    delimiter, a ragged row) sends the caller to the exact, per-record check. A total over the file
    is not enough: a blank line's missing delimiter can hide a long row's extra one.
    """
    raw = np.frombuffer(data, dtype=np.uint8, offset=offset)
    if raw.size == 0:
        return True
    breaks = (raw == ord("\n")) | ((raw == ord("\r")) & np.r_[raw[1:] != ord("\n"), True])
    ends = np.flatnonzero(breaks)
    if not breaks[-1]:  # the last line has no line break after it
        ends = np.r_[ends, raw.size - 1]
    per_line = np.diff(np.cumsum(raw == ord(delimiter))[ends], prepend=0)
    return bool(np.all(per_line == count))


def _ragged_message(body: bytes, delimiter: str, width: int, first_line: int) -> str | None:
    """The message for the first non-blank line with another number of fields than the header, if any."""
    text = body.decode("utf-8")
    records = ((number, len(cells)) for number, cells in _records(text, delimiter) if not _is_blank(cells))
    for number, count in records:
        if count != width:
            name = _DELIMITER_NAMES[delimiter]
            return (
                f"ragged rows: line {number + first_line - 1} has {count} fields but the header has {width} "
                f"({name}-separated); every row needs one field per column"
            )
    return None


def _records(body: str, delimiter: str):
    """(first line, cells) per record of the rows; quoted line breaks stay in their record."""
    if '"' not in body or delimiter == _WHITESPACE:
        yield from ((n, _split_line(line, delimiter)) for n, _, _, line in _lines(body))
        return
    reader = _csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, skipinitialspace=True)
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def _row_lines(frame: pd.DataFrame, record_lines: np.ndarray | None, first_line: int) -> np.ndarray:
    """Each row's line in the file (n_records,): from the csv pass when quotes may span lines."""
    if record_lines is not None:
        after = record_lines[record_lines >= first_line]
        if len(after) == len(frame):
            return after
    return np.arange(first_line, first_line + len(frame), dtype=np.int64)


def _column_values(cells: pd.Series, delimiter: str, lines: np.ndarray) -> tuple[np.ndarray | None, str]:
    """(values (n,) float64 with NaN where missing, how converted) or (None, why dropped)."""
    if cells.dtype == bool:
        return cells.to_numpy(np.float64), "true/yes read as 1, false/no as 0"
    if pd.api.types.is_numeric_dtype(cells.dtype):
        values = cells.to_numpy(np.float64, na_value=np.nan)
        return (None, "every cell is empty") if np.isnan(values).all() else (values, "")
    text = cells.astype(object).where(cells.notna(), "").astype(str).str.strip()
    _check_field_length(text, lines)
    missing = text.str.lower().isin(MISSING_TOKENS).to_numpy()
    if missing.all():
        return None, "every cell is empty"
    present = text[~missing]
    head = present.iloc[:_SAMPLE_CELLS]
    if np.isnan(_to_float(head)).all() and next(_conversions(head, delimiter), None) is None:
        # Text from its first cells on: dropped without parsing a column that can only fail.
        return None, f"text, not numbers (e.g. {head.iloc[0][:30]!r} on line {_line_at(lines, text, head.index[0])})"
    values = np.full(len(cells), np.nan)
    parsed = _to_float(present)
    bad = np.isnan(parsed)
    if not bad.any():
        values[~missing] = parsed
        return values, ""
    for converted, note in _conversions(present, delimiter):
        values[~missing] = converted
        return values, note
    first = present.index[np.flatnonzero(bad)[0]]
    example = f"{present[first][:30]!r} on line {_line_at(lines, text, first)}"
    if bad.all():
        return None, f"text, not numbers (e.g. {example})"
    return None, f"{int(bad.sum())} of {len(cells)} values are not numbers (first: {example})"


def _line_at(lines: np.ndarray, cells: pd.Series, label) -> int:
    return int(lines[cells.index.get_loc(label)])


def _check_field_length(text: pd.Series, lines: np.ndarray) -> None:
    lengths = text.str.len().to_numpy()
    if lengths.size and lengths.max() > _FIELD_LIMIT:
        raise DataError(
            f"line {lines[int(np.argmax(lengths > _FIELD_LIMIT))]} has a field longer than {_FIELD_LIMIT:,} characters"
        )


def _conversions(present: pd.Series, delimiter: str):
    """Readings of a non-numeric column's present cells, in order of preference: (values (m,), note)."""
    pattern, clean = _GROUPED[delimiter]
    if present.str.fullmatch(pattern).all():
        yield (
            _to_float(present.map(clean)),
            "thousands separators removed" + (", decimal comma read as a point" if delimiter == ";" else ""),
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


def _leave_out_index_columns(table: _Table, keep_index: bool, target) -> None:
    """Drop columns that count the rows (0, 1, 2, … or 1, 2, 3, …) under an index-like name, with a note."""
    if keep_index:
        return
    wanted = target.strip() if isinstance(target, str) else None
    for j, (name, values) in enumerate(zip(table.names, table.columns)):
        if values is None or name == wanted or not _index_like(name):
            continue
        start = values[0] if len(values) else None
        if start in (0.0, 1.0) and np.array_equal(values, np.arange(start, start + len(values))):
            counts = "0, 1, 2" if start == 0 else "1, 2, 3"
            shown = repr(name) if name else f"column {j + 1} (no name)"
            table.notes.append(f"left out {shown}: it counts the rows {counts}, … (a row index)")
            table.index_columns.append(name or f"(column {j + 1})")
            table.columns[j], table.reasons[j] = None, "a row index"


def _index_like(name: str) -> bool:
    key = re.sub(r"[\s._#]", "", name.casefold())
    return key in _INDEX_NAMES or re.fullmatch(r"unnamed:\d+", key) is not None


# --------------------------------------------------------------------------------------------
# From the table to X and y


def _frames(table: _Table, target, drop_missing: bool) -> CsvData:
    """X (n, d) and y (n,) from a parsed table, after the checks that need the target."""
    target_index = _target_index(table.names, target)
    kept, dropped, converted = {}, {}, {}
    for i, (name, values, reason) in enumerate(zip(table.names, table.columns, table.reasons)):
        label = name or f"(column {i + 1})"
        if i == target_index:
            if values is None:
                raise DataError(f"the target column {name!r} is not numeric: {reason}")
            y = values
        elif values is None:
            if label not in table.index_columns:
                dropped[label] = reason
        elif not name:
            raise DataError(f"column {i + 1} has values but no name in the header row; give every column a name")
        else:
            kept[name] = values
        if values is not None and reason:
            converted[label] = reason
    _check_features(kept, dropped)
    target_name = table.names[target_index]
    columns, lines = {**kept, target_name: y}, table.lines
    notes = list(table.notes)
    notes += [f"dropped column {n!r}: {why}" for n, why in dropped.items()]
    notes += [f"column {n!r}: {how}" for n, how in converted.items()]
    if drop_missing:
        columns, lines, note = _drop_missing_rows(columns, lines)
        notes += [note] if note else []
    _check_values(columns, target_name, lines)
    X = pd.DataFrame({n: v for n, v in columns.items() if n != target_name}, dtype=np.float64)
    X.attrs["dropped"] = dropped
    X.attrs["converted"] = converted
    return CsvData(
        X,
        pd.Series(columns[target_name], name=target_name),
        tuple(notes),
        dropped,
        converted,
        tuple(table.index_columns),
    )


def _drop_missing_rows(columns: dict[str, np.ndarray], lines: np.ndarray):
    """(columns, lines) without the rows that have a missing cell, and a note saying how many went."""
    missing = np.logical_or.reduce([np.isnan(v) for v in columns.values()])
    n = int(missing.sum())
    if n == 0:
        return columns, lines, ""
    where = _few([name for name, v in columns.items() if np.isnan(v).any()])
    kept = {name: v[~missing] for name, v in columns.items()}
    if len(lines) - n < MIN_ROWS:
        raise DataError(
            f"{n} of {len(lines)} rows have missing cells (in {where}); without them only "
            f"{len(lines) - n} rows are left, and at least {MIN_ROWS} are needed"
        )
    return kept, lines[~missing], f"dropped {n} row{'s' if n != 1 else ''} with missing cells (in {where})"


def _few(names: list[str], limit: int = 3) -> str:
    """'a', 'b', 'c' and 4 more: at most `limit` names."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _target_index(names: list[str], target) -> int:
    """Index of the target column: the named one, or the last named column when target is None."""
    if target is None:
        return max(i for i, n in enumerate(names) if n)
    if not isinstance(target, str):
        raise DataError(f"the target must be a column name (text), not {type(target).__name__}")
    if target.strip() in names and target.strip():
        return names.index(target.strip())
    available = [n for n in names if n]
    shown = ", ".join(repr(n) for n in available[:20]) + (
        f", … ({len(available) - 20} more)" if len(available) > 20 else ""
    )
    hint = [n for n in available if n.casefold() == target.strip().casefold()]
    suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise DataError(f"target column {target!r} not found{suggestion}; available columns: {shown}")


def _check_several_columns(names: list[str]) -> None:
    named = [n for n in names if n]
    if len(named) == 1:
        raise DataError(
            f"the file has only one column ({named[0][:60]!r}); it needs at least one feature column and a "
            "target column, separated by commas, semicolons or tabs (or spaces)"
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
        (np.isnan, "empty or missing cells", "fill them in, remove those rows, or let nnlab drop them"),
        (np.isinf, "infinite values", "replace them with finite numbers"),
    ):
        problems, rows_hit = [], np.zeros(len(lines), dtype=bool)
        for name, values in columns.items():
            rows = np.flatnonzero(test(values))
            if rows.size:
                rows_hit[rows] = True
                label = f"target {name!r}" if name == target_name else repr(name)
                at = ", ".join(str(lines[r]) for r in rows[:5]) + (", …" if rows.size > 5 else "")
                plural = "s" if rows.size != 1 else ""
                problems.append(f"{label}: {rows.size} row{plural} (line{plural} {at})")
        if problems:
            extra = len(problems) - 3
            more = f" and {extra} more column{'s' if extra != 1 else ''}" if extra > 0 else ""
            total = f" ({int(rows_hit.sum())} rows in all)" if len(problems) > 1 else ""
            raise DataError(f"{what} in {'; '.join(problems[:3])}{more}{total}; {advice}")
    constant = [name for name, v in columns.items() if name != target_name and (v == v[0]).all()]
    if constant:
        listed = ", ".join(f"{n!r} (always {columns[n][0]:g})" for n in constant[:10])
        raise DataError(f"feature columns with the same value in every row carry no information: {listed}; remove them")
    y = columns[target_name]
    if (y == y[0]).all():
        raise DataError(
            f"the target column {target_name!r} has the same value ({y[0]:g}) in every row; there is nothing to predict"
        )
