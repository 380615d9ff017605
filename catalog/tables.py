"""Read CSV, TSV and JSONL tables, and find the columns a catalog needs in them.

Values stay text (JSONL lists stay lists) until a column is known to hold numbers, years or dates,
so an id like "007" or "B00X4WHP5E" is kept as written. pandas is imported here only, on first use:
the default catalog never needs it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from catalog.errors import CatalogError, listing

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".jsonl": None, ".ndjson": None}
_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")


def read_table(path: Path):
    """The whole table as a pandas DataFrame of text (or lists, from JSONL)."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise CatalogError(path, f"has the suffix '{suffix}'; a table must be one of {listing(TABLE_SUFFIXES)}.",
                           "rename the file to say its format (.csv, .tsv or .jsonl)")
    if not path.is_file():
        raise CatalogError(path, "not found.", "check the file name in the catalog spec or the folder")
    try:
        if TABLE_SUFFIXES[suffix] is None:
            frame = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
            frame = frame.astype(object).where(frame.notna(), "")
        else:
            frame = pd.read_csv(path, sep=TABLE_SUFFIXES[suffix], dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as err:
        kind = "JSON lines (one object per line)" if TABLE_SUFFIXES[suffix] is None else f"{suffix[1:].upper()} with a header row"
        raise CatalogError(path, f"cannot be read as {kind}: {str(err).strip()}.",
                           "check the file's format matches its suffix") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise CatalogError(path, f"has no rows (columns found: {listing(frame.columns)}).", "add the rows under the header")
    return frame


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_column(path: Path, frame, role: str, given: str | None, aliases: tuple[str, ...], required: bool,
                section: str) -> str | None:
    """The column that holds `role`: the one a spec names, else the first alias present (case and '_' ignored)."""
    columns = list(frame.columns)
    if given:
        if given in columns:
            return given
        close = [c for c in columns if _key(c) == _key(given)]
        if close:
            return close[0]
        raise CatalogError(path, f"has no column '{given}' (named as [{section}] {role} in the catalog spec); "
                                 f"found columns: {listing(columns)}.",
                           f"set [{section}] {role} to one of the columns found")
    by_key = {_key(c): c for c in columns}
    for alias in aliases:
        if _key(alias) in by_key:
            return by_key[_key(alias)]
    if required:
        raise CatalogError(path, f"has no {role} column: expected one named {listing(aliases)}; "
                                 f"found columns: {listing(columns)}.",
                           f"rename the column, or name it in a catalog spec: [{section}] {role} = \"<your column>\"")
    return None


def require_columns(path: Path, frame, names: tuple[str, ...], hint: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise CatalogError(path, f"has no column {listing(missing)}; found columns: {listing(frame.columns)}.", hint)


def split_list(value, separators: str) -> tuple[str, ...]:
    """A JSON list, or a string split at any of `separators`: 'Audio|Electronics' -> ('Audio', 'Electronics')."""
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    elif value is None or value == "":
        return ()
    else:
        parts = re.split("[" + re.escape(separators) + "]", str(value)) if separators else [str(value)]
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def parse_year(value) -> int | None:
    """2019, '2019', '2019-05-01', '01-Jan-1995', '5/1/2019' -> the year; '' -> None."""
    if isinstance(value, (int, np.integer)) and 1500 <= value <= 2199:
        return int(value)
    m = _YEAR.search(str(value))
    return int(m[1]) if m else None


def line_of(path: Path, row: int) -> int:
    """The file's line number of a data row (a header line comes first in CSV and TSV)."""
    return row + (1 if TABLE_SUFFIXES.get(path.suffix.lower()) is None else 2)


def numbers(path: Path, frame, column: str, section: str, role: str) -> np.ndarray:
    """A column of numbers as float64; a value that is no number is an error naming its line."""
    import pandas as pd

    raw = frame[column]
    values = pd.to_numeric(raw.replace("", np.nan), errors="coerce")
    bad = values.isna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise CatalogError(path, f"line {line_of(path, row)}: column '{column}' ([{section}] {role}) holds "
                                 f"'{raw.iloc[row]}', not a number.",
                           f"fix the value, or set [{section}] {role} to the right column in a catalog spec")
    return values.fillna(1.0 if role in ("rating", "weight") else 0.0).to_numpy(dtype=np.float64)


def timestamps(path: Path, frame, column: str, section: str) -> np.ndarray:
    """Seconds since 1970 from numbers or dates ('2019-05-01 10:00'); blank -> 0."""
    import pandas as pd

    raw = frame[column].astype(str).str.strip()
    as_number = pd.to_numeric(raw.replace("", np.nan), errors="coerce")
    seconds = as_number.fillna(0).to_numpy(dtype=np.int64)
    dated = as_number.isna() & (raw != "")  # values that are no number are read as dates
    if dated.any():
        dates = pd.to_datetime(raw[dated], errors="coerce", utc=True, format="mixed")
        if dates.isna().any():
            row = int(np.flatnonzero(dated.to_numpy())[int(np.flatnonzero(dates.isna().to_numpy())[0])])
            raise CatalogError(path, f"line {line_of(path, row)}: column '{column}' ([{section}] timestamp) holds "
                                     f"'{raw.iloc[row]}', neither seconds since 1970 nor a date.",
                               "write seconds or ISO dates (2019-05-01 10:00), or leave the cell empty")
        epoch = pd.Timestamp("1970-01-01", tz="UTC")
        seconds[dated.to_numpy()] = ((dates - epoch) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)
    return seconds
