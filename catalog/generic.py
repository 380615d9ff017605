"""Any catalog as two tables: items (CSV, TSV or JSONL) and interactions (user, item, optional value and time).

Without a catalog spec the folder holds `items.<csv|tsv|jsonl>` and `interactions.<csv|tsv|jsonl>`, and
each column is found by its usual names below (case and underscores ignored). A spec names the files
and columns when they differ. Every column not used otherwise is kept on the item as `extra`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from catalog.base import CatalogLoader, interactions_from_columns
from catalog.errors import CatalogError, listing
from catalog.model import Catalog, Item
from catalog.tables import TABLE_SUFFIXES, find_column, line_of, numbers, parse_year, read_table, split_list, timestamps

ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("item_id", "id", "movieId", "product_id", "sku", "asin", "book_id", "isbn"),
    "title": ("title", "name", "movie_title", "product_name", "product_title"),
    "year": ("year", "release_year", "publication_year"),
    "date": ("date", "release_date", "published", "released", "publication_date"),
    "categories": ("categories", "category", "genres", "genre", "class", "department"),
    "tags": ("tags", "keywords", "labels"),
    "description": ("description", "desc", "summary", "overview", "synopsis", "plot", "blurb", "text"),
    "directors": ("directors", "director", "directed_by"),
    "cast": ("cast", "starring", "actors", "stars"),
}
INTERACTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "user": ("user_id", "user", "userId", "customer_id", "customer", "reader_id", "visitor_id"),
    "item": ITEM_COLUMNS["id"] + ("item",),
    "rating": ("rating", "score", "stars"),
    "weight": ("weight", "count", "quantity", "clicks", "plays"),
    "timestamp": ("timestamp", "time", "datetime", "date", "ts", "created_at"),
}
DEFAULT_SEPARATORS = "|;,"


def table_file(folder: Path, stem: str) -> Path | None:
    found = [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").is_file()]
    return found[0] if found else None


class GenericLoader(CatalogLoader):
    name = "generic"
    expects = "items.csv|tsv|jsonl and interactions.csv|tsv|jsonl, or the files a catalog spec names"

    @classmethod
    def detect(cls, folder: Path) -> bool:
        return table_file(folder, "items") is not None and table_file(folder, "interactions") is not None

    def load(self, folder: Path, spec) -> Catalog:
        items_path = self._file(folder, spec.items.file, "items", spec)
        inter_path = self._file(folder, spec.interactions.file, "interactions", spec)
        items = self._items(items_path, spec.items)
        interactions = self._interactions(inter_path, spec.interactions, items)
        name = (spec.path.stem if spec.path and spec.path.stem != "catalog" else folder.name) or "catalog"
        return Catalog(items=items, interactions=interactions, name=name, source=f"{folder} (generic tables)")

    @staticmethod
    def _file(folder: Path, given: str | None, stem: str, spec) -> Path:
        if given:
            path = Path(given).expanduser()
            path = path if path.is_absolute() else folder / path
            if not path.is_file():
                raise CatalogError(path, f"not found (named as [{stem}] file in {spec.path}).",
                                   "check the file name; a relative name is read from the data folder " + str(folder))
            return path
        found = table_file(folder, stem)
        if found is None:
            unset = f"[{stem}] file is not set in {spec.path.name}, and " if spec.path else ""
            raise CatalogError(folder, f"{unset}there is no {stem}.csv, {stem}.tsv or {stem}.jsonl here; found "
                                       f"{listing(sorted(p.name for p in folder.iterdir()))}.",
                               f"name the file in a catalog spec ([{stem}] file = \"...\") or rename it")
        return found

    @staticmethod
    def _items(path: Path, spec) -> list[Item]:
        frame = read_table(path)
        col = {role: find_column(path, frame, role, getattr(spec, role), aliases, role in ("id", "title"), "items")
               for role, aliases in ITEM_COLUMNS.items()}
        used = {c for c in col.values() if c}
        if spec.extra is not None:
            missing = [c for c in spec.extra if c not in frame.columns]
            if missing:
                raise CatalogError(path, f"has no column {listing(missing)} (named in [items] extra); found columns: "
                                         f"{listing(frame.columns)}.", "list only columns the file has")
            extra_columns = list(spec.extra)
        else:
            extra_columns = [c for c in frame.columns if c not in used]
        ids = frame[col["id"]].astype(str).str.strip()
        repeated = np.flatnonzero((ids.duplicated(keep=False) & (ids != "")).to_numpy())
        if len(repeated):
            lines = [line_of(path, int(r)) for r in repeated[:4]]
            raise CatalogError(path, f"column '{col['id']}' (the item id) holds '{ids.iloc[repeated[0]]}' more than once "
                                     f"(lines {listing(lines)}).", "give every item its own id")
        separators = DEFAULT_SEPARATORS if spec.separators is None else spec.separators
        records = frame.to_dict("records")
        items: list[Item] = []
        for n, (row, source_id) in enumerate(zip(records, ids)):
            title = str(row[col["title"]]).strip()
            if not source_id:
                continue  # a row without an id cannot be linked to its interactions
            # A row with an id and no title is kept (its interactions still count, its id stays known) and is
            # never offered: see Item.titled.
            year = parse_year(row[col["year"]]) if col["year"] else None
            if year is None and col["date"]:
                year = parse_year(row[col["date"]])
            items.append(Item(
                id=len(items), source_id=source_id, title=title, year=year,
                genres=split_list(row[col["categories"]], separators) if col["categories"] else (),
                description=" ".join(str(row[col["description"]]).split()) if col["description"] else "",
                tags=split_list(row[col["tags"]], separators) if col["tags"] else (),
                directors=split_list(row[col["directors"]], separators) if col["directors"] else (),
                cast=split_list(row[col["cast"]], separators) if col["cast"] else (),
                extra={c: row[c] for c in extra_columns if row[c] not in ("", None)},
            ))
        if not any(it.titled for it in items):
            raise CatalogError(path, f"has no row with both an id ('{col['id']}') and a title ('{col['title']}').",
                               "fill in those columns")
        return items

    @staticmethod
    def _interactions(path: Path, spec, items: list[Item]):
        frame = read_table(path)
        col = {role: find_column(path, frame, role, getattr(spec, role), aliases, role in ("user", "item"), "interactions")
               for role, aliases in INTERACTION_COLUMNS.items()}
        if spec.rating and spec.weight:
            raise CatalogError(path, f"the catalog spec sets both [interactions] rating ('{spec.rating}') and weight "
                                     f"('{spec.weight}'); each interaction has one value.", "keep one of the two")
        value_role = "rating" if col["rating"] else "weight"
        value = (numbers(path, frame, col[value_role], "interactions", value_role) if col[value_role]
                 else np.ones(len(frame)))
        stamp = timestamps(path, frame, col["timestamp"], "interactions") if col["timestamp"] else np.zeros(len(frame), np.int64)
        return interactions_from_columns(path, col["item"], frame[col["user"]].astype(str).to_numpy(),
                                         frame[col["item"]].astype(str).str.strip().to_numpy(), value, stamp, items)
