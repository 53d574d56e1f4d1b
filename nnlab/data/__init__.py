"""Datasets: scikit-learn's diabetes data, two synthetic sets, and users' CSV files.

Everything a page trains on comes through `make_dataset`, which returns a frozen `Dataset` of
float64 arrays. Every problem with user input is a `DataError` with a message a dashboard can
show as it is. The modules: `builtin` (the built-in sets), `csv_reader` (users' files:
`csv_columns` for the target picker, `load_csv` for the data and its notes), `dataset` (splitting
and scaling, one default scaling per source), `describe` (statistics of a dataset before training).
"""

from . import describe
from .builtin import FEATURE_SCALINGS, FEATURES, TARGET_NAME, load_diabetes, make_sine, make_surface
from .csv_reader import (
    MAX_CSV_BYTES,
    MAX_CSV_COLUMNS,
    MISSING_TOKENS,
    CsvColumns,
    CsvData,
    csv_columns,
    load_csv,
    read_csv,
)
from .dataset import DEFAULT_SCALING, SOURCES, TARGET_SCALINGS, Dataset, default_scaling, make_dataset
from .errors import MIN_ROWS, DataError

__all__ = [
    "CsvColumns",
    "CsvData",
    "DEFAULT_SCALING",
    "DataError",
    "Dataset",
    "FEATURES",
    "FEATURE_SCALINGS",
    "MAX_CSV_BYTES",
    "MAX_CSV_COLUMNS",
    "MIN_ROWS",
    "MISSING_TOKENS",
    "SOURCES",
    "TARGET_NAME",
    "TARGET_SCALINGS",
    "csv_columns",
    "default_scaling",
    "describe",
    "load_csv",
    "load_diabetes",
    "make_dataset",
    "make_sine",
    "make_surface",
    "read_csv",
]
