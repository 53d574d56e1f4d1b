"""Write the bad-CSV corpus that tests/nnlab/test_bad_csv_corpus.py feeds to nnlab.data.read_csv.

Run `python tests/data/make_bad_csv.py` to (re)write tests/data/bad_csv/. The output is
deterministic, and the test checks that the committed files equal what this script makes.
The one file over the 50 MB upload limit is not committed: the test writes it into a temporary
folder with `write_oversized`.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_csv"


def _rows(n: int, header: str = "x1,x2,y", sep: str = ",", end: str = "\n") -> str:
    """A valid table: header plus n rows of three distinct, non-constant numbers."""
    lines = [header] + [sep.join([f"{i}", f"{(i * 7) % 11 / 4}", f"{i * i % 13}"]) for i in range(n)]
    return end.join(lines) + end


def _with(n: int, cell: dict[int, str], header: str = "x1,x2,y") -> str:
    """A valid table of n rows with some cells of column x2 replaced: {row index: text}."""
    lines = [header]
    for i in range(n):
        lines.append(",".join([f"{i}", cell.get(i, f"{(i * 7) % 11 / 4}"), f"{i * i % 13}"]))
    return "\n".join(lines) + "\n"


def _edit_line(table: str, number: int, edit) -> str:
    """The table with its line `number` (1-based, header = 1) passed through `edit`."""
    lines = table.split("\n")
    lines[number - 1] = edit(lines[number - 1])
    return "\n".join(lines)


def _cases() -> dict[str, bytes]:
    """File name -> exact content of every committed corpus file."""
    rng = random.Random(20240601)
    text = {
        "empty.csv": "",
        "only_whitespace.csv": "   \n\t\n  \r\n",
        "only_delimiters.csv": ",,\n,,\n,,\n",
        "header_only.csv": "x1,x2,y\n",
        "one_row.csv": _rows(1),
        "nine_rows.csv": _rows(9),
        "ten_rows.csv": _rows(10),
        "one_column.csv": "y\n" + "".join(f"{i}\n" for i in range(12)),
        "pipe_delimited.csv": _rows(12, header="x1|x2|y", sep="|"),
        "no_header.csv": _rows(12).split("\n", 1)[1],
        "no_numeric_feature.csv": "city,colour,y\n" + "".join(f"c{i},red,{i}\n" for i in range(12)),
        "text_target.csv": "x1,x2,label\n" + "".join(f"{i},{i % 5},class{i % 3}\n" for i in range(12)),
        "all_nan_column.csv": "x1,empty,x2,y\n" + "".join(f"{i},NaN,{i % 5},{i % 4}\n" for i in range(12)),
        "nan_cells.csv": _with(12, {3: "", 7: "NaN"}),
        "na_tokens.csv": _with(12, {2: "NA", 5: "null", 9: "#N/A"}),
        "target_nan.csv": "x1,x2,y\n" + "".join(f"{i},{i % 5},{'' if i == 4 else i % 7}\n" for i in range(12)),
        "inf_value.csv": _with(12, {6: "inf"}),
        "overflow_number.csv": _with(12, {2: "1e400"}),
        "mixed_types.csv": _with(12, {4: "abc", 8: "n/a?"}),
        "excel_errors.csv": _with(12, {1: "#DIV/0!"}),
        "thousands_separators.csv": "x1,price,y\n" + "".join(f'{i},"{1000 + i * 1234:,}",{i % 7}\n' for i in range(12)),
        "semicolon.csv": _rows(12, header="x1;x2;y", sep=";"),
        "semicolon_decimal_comma.csv": "x1;x2;y\n"
        + "".join(f"{i};{i // 4},{i % 4 * 25:02d};1.{i:03d},5\n" for i in range(12)),
        "tab_separated.tsv": _rows(12, header="x1\tx2\ty", sep="\t"),
        "crlf.csv": _rows(12, end="\r\n"),
        "cr_only.csv": _rows(12, end="\r"),
        "blank_lines.csv": _rows(12).replace("\n", "\n\n", 4),
        "trailing_delimiter.csv": "".join(line + ",\n" for line in _rows(12).splitlines()),
        "quoted_fields.csv": '"x, first","x ""second""",y\n'
        + "".join(f'"{i}", "{i % 5}",{i % 7}\n' for i in range(12)),
        "unicode_names.csv": "größe,温度,y\n" + "".join(f"{i},{i % 5},{i % 7}\n" for i in range(12)),
        "boolean_column.csv": "x1,smoker,y\n" + "".join(f"{i},{'yes' if i % 3 else 'no'},{i % 7}\n" for i in range(12)),
        "duplicate_headers.csv": _rows(12, header="x1,x1,y"),
        "duplicate_after_strip.csv": _rows(12, header="x1, x1 ,y"),
        "empty_header_name.csv": _rows(12, header="x1,,y"),
        "constant_feature.csv": "x1,x2,y\n" + "".join(f"{i},3.5,{i % 7}\n" for i in range(12)),
        "constant_target.csv": "x1,x2,y\n" + "".join(f"{i},{i % 5},42\n" for i in range(12)),
        "ragged_long_row.csv": _edit_line(_rows(12), 5, lambda line: line + ",99"),
        "ragged_short_row.csv": _edit_line(_rows(12), 7, lambda line: line.rsplit(",", 1)[0]),
        "unbalanced_quote.csv": _edit_line(_rows(12), 4, lambda line: '"' + line),
        "text_after_quote.csv": _edit_line(_rows(12), 4, lambda line: '"' + line.replace(",", '"x,', 1)),
        "very_long_field.csv": "x1,note,y\n"
        + "".join(f"{i},{'z' * (132_000 if i == 2 else 3)},{i}\n" for i in range(12)),
        "very_wide.csv": ",".join(f"c{j}" for j in range(2000)) + "\n" + ("1," * 1999 + "1\n") * 11,
        "html_page.csv": (
            "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><p>Please sign in</p></body></html>\n"
        ),
        "json_document.csv": '{"x1": [1, 2, 3], "y": [4, 5, 6]}\n',
    }
    data = {name: body.encode("utf-8") for name, body in text.items()}
    data["utf8_bom.csv"] = b"\xef\xbb\xbf" + _rows(12).encode("utf-8")
    data["latin1.csv"] = ("température,x2,y\n" + _rows(12).split("\n", 1)[1]).encode("latin-1")
    data["utf16.csv"] = _rows(12).encode("utf-16")
    data["binary_garbage.bin"] = bytes(rng.randrange(256) for _ in range(4096))
    data["binary_no_nul.bin"] = bytes(rng.randrange(1, 256) for _ in range(4096))
    data["zip_archive.xlsx"] = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(
        rng.randrange(256) for _ in range(512)
    )
    return data


def write_all(directory: Path = CORPUS) -> list[Path]:
    """Write every corpus file into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in _cases().items():
        path = directory / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def write_oversized(path: Path, limit: int) -> Path:
    """Write a well-formed CSV just over `limit` bytes (the upload limit), cheaply."""
    header = b"x1,x2,y\n"
    block = _rows(1000).split("\n", 1)[1].encode()  # 1000 varied rows without their header
    repeats = (limit - len(header)) // len(block) + 1
    with path.open("wb") as f:
        f.write(header)
        f.write(block * repeats)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    for p in write_all(target):
        print(p.relative_to(target.parent) if p.is_relative_to(target.parent) else p)
