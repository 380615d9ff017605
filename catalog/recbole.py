"""RecBole's atomic files (`<name>.item`, `<name>.inter`), and the default catalog: ml-100k from the recbole package.

By default the files come from the `recbole` PyPI package, which ships ml-100k under
`recbole/dataset_example/ml-100k/`. We only read those files and never import recbole (its own
dependencies are large and not needed). The data is not copied into this repository: the
MovieLens licence forbids redistribution.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from catalog.base import CatalogLoader, interactions_from_lists
from catalog.errors import CatalogError, listing
from catalog.model import Catalog, Item
from catalog.movielens import movielens_catalog, tidy_title

INSTALL_HINT = "pip install --no-deps recbole==1.2.1"
_PLACEHOLDER_TITLES = {"unknown", "unkonwn"}  # ml-100k has one placeholder row with no title


def locate_default_dataset() -> Path:
    """Folder of ml-100k inside the installed recbole package (not imported)."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"Dataset 'ml-100k' not found: install it with `{INSTALL_HINT}`, "
            "or set RECS_DATA to a catalog folder or a catalog spec (README: 'Your own catalog')"
        )
    folder = Path(spec.submodule_search_locations[0]) / "dataset_example" / "ml-100k"
    if not folder.is_dir():
        raise FileNotFoundError(f"Dataset folder '{folder}' missing from the recbole package: reinstall with `{INSTALL_HINT}`")
    return folder


def _read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        raise CatalogError(path, "is empty; a RecBole atomic file starts with a header such as 'item_id:token'.",
                           "write the header line and the rows")
    header = [h.split(":")[0] for h in rows[0]]
    return header, rows[1:]


def _column(path: Path, header: list[str], names: tuple[str, ...]) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise CatalogError(path, f"has no column {' or '.join(names)}; found columns: {listing(header)}.",
                       f"name the column '{names[0]}' in the header (e.g. '{names[0]}:token')")


class RecBoleLoader(CatalogLoader):
    name = "recbole"
    expects = "one <name>.item and one <name>.inter file (RecBole atomic files)"

    @classmethod
    def detect(cls, folder: Path) -> bool:
        return any(folder.glob("*.item")) and any(folder.glob("*.inter"))

    def load(self, folder: Path, spec) -> Catalog:
        item_files, inter_files = sorted(folder.glob("*.item")), sorted(folder.glob("*.inter"))
        if len(item_files) != 1 or len(inter_files) != 1:
            raise CatalogError(folder, f"must hold one *.item and one *.inter file; found {listing(p.name for p in item_files)} "
                                       f"and {listing(p.name for p in inter_files)}.",
                               "keep one pair in the folder, or name the format and files in a catalog spec")
        item_path, inter_path = item_files[0], inter_files[0]

        header_items, rows = _read_tsv(item_path)
        header = header_items
        id_col = _column(item_path, header, ("item_id",))
        title_col = _column(item_path, header, ("movie_title", "title"))
        year_col = header.index("release_year") if "release_year" in header else None
        class_col = header.index("class") if "class" in header else None
        items: list[Item] = []
        for row in rows:
            if len(row) <= max(id_col, title_col):
                continue  # a blank or cut line
            raw_title = row[title_col].strip()
            if not raw_title or raw_title.lower() in _PLACEHOLDER_TITLES:
                continue
            title, year_in_title = tidy_title(raw_title)
            year_text = row[year_col].strip() if year_col is not None and year_col < len(row) else ""
            year = int(year_text) if year_text.isdigit() else year_in_title
            genres = tuple(g for g in row[class_col].split() if g != "unknown") if class_col is not None and class_col < len(row) else ()
            items.append(Item(id=len(items), source_id=row[id_col], title=title, year=year, genres=genres))
        source_to_idx = {it.source_id: it.id for it in items}

        header, rows = _read_tsv(inter_path)
        user_col, item_col = _column(inter_path, header, ("user_id",)), _column(inter_path, header, ("item_id",))
        rating_col = header.index("rating") if "rating" in header else None
        time_col = header.index("timestamp") if "timestamp" in header else None
        u, i, r, t = [], [], [], []
        for n, row in enumerate(rows, 2):
            idx = source_to_idx.get(row[item_col]) if len(row) > item_col else None
            if idx is None:
                continue
            try:
                r.append(float(row[rating_col]) if rating_col is not None else 1.0)
                t.append(int(float(row[time_col])) if time_col is not None else 0)
            except ValueError:
                raise CatalogError(inter_path, f"line {n}: rating or timestamp is not a number ({row!r}).",
                                   "fix or remove that line") from None
            u.append(row[user_col])
            i.append(idx)
        interactions = interactions_from_lists(u, i, r, t)
        source = f"{folder} (RecBole atomic files)"
        if "movie_title" in header_items:  # MovieLens as RecBole ships it: movies, with the movie words
            return movielens_catalog(items, interactions, name=item_path.stem, source=source)
        return Catalog(items=items, interactions=interactions, name=item_path.stem, source=source)
