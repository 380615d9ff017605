"""Check a catalog before the chat uses it, or write the demo shop.

    python -m catalog [PATH|NAME]                # load a folder, catalog spec or name (movies, ml-100k); say what was read
    python -m catalog demo-shop FOLDER           # write the generated product catalog (catalog.demo_shop)
    python -m catalog build-movies SOURCES OUT   # build the movies catalog from open sources (catalog/build_movies.py)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

TOP = 500


def coverage(catalog) -> str:
    """'fields: genres 6,012 (86.8%), directors ..., ...': how many items have each field filled."""
    n = len(catalog)
    counts = {
        catalog.category_labels: sum(bool(it.genres) for it in catalog.items),
        "year": sum(bool(it.year) for it in catalog.items),
        "directors": sum(bool(it.directors) for it in catalog.items),
        "cast": sum(bool(it.cast) for it in catalog.items),
        "director or cast": sum(bool(it.people) for it in catalog.items),
        "subjects/tags": sum(bool(it.tags) for it in catalog.items),
        "description": sum(bool(it.description) for it in catalog.items),
    }
    line = f"fields, {catalog.nouns} that have each of {n:,}: " + ", ".join(
        f"{name} {count:,} ({count / n:.1%})" for name, count in counts.items())
    # What people ask about most: the items with the most interactions (for movies, the dialogues naming them).
    top = [catalog[int(i)] for i in np.argsort(-catalog.popularity, kind="stable")[:TOP] if catalog.popularity[i] > 0]
    if top:
        described = sum(bool(it.description) for it in top)
        line += f"; description among the {len(top):,} with the most interactions: {described:,} ({described / len(top):.1%})"
    return line


def untitled(catalog) -> list[str]:
    """The items whose source gives no title, if any: held, never offered."""
    ids = sorted(catalog[i].source_id for i in catalog.untitled_ids)
    if not ids:
        return []
    return [f"{len(ids):,} {catalog.nouns if len(ids) > 1 else catalog.noun} without a title (ids "
            f"{', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}): held for their interactions and ids, "
            "never linked, shown or recommended"]


def describe(path: Path | None) -> list[str]:
    from catalog import load_catalog

    catalog = load_catalog(path)
    first = next(it for it in catalog.items if it.titled)
    lines = [
        f"{catalog.name}: {len(catalog):,} {catalog.nouns}, {catalog.interactions.n_users:,} users, "
        f"{len(catalog.interactions):,} interactions, read from {catalog.source}",
        f"{len(catalog.genres)} {catalog.category_label} names: " + ", ".join(catalog.genres[:20])
        + (" ..." if len(catalog.genres) > 20 else ""),
        f"years: {catalog.year_range[0]} to {catalog.year_range[1]}" if catalog.year_range else "years: none",
        coverage(catalog),
        *untitled(catalog),
        f"first {catalog.noun}: id {first.source_id}, {first.display}",
        f"its text for retrieval: {catalog.document(first)}",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo-shop"]:
        p = argparse.ArgumentParser(prog="python -m catalog demo-shop", description="Write the generated product catalog.")
        p.add_argument("folder", type=Path)
        p.add_argument("--customers", type=int, default=500)
        args = p.parse_args(argv[1:])
        from catalog.demo_shop import write_shop

        shop = write_shop(args.folder, customers=args.customers)
        print(f"wrote {shop.folder}: products.csv ({len(shop.names)} products), orders.jsonl, catalog.toml")
        print(f"try: RECS_DATA={shop.spec} RECS_CACHE_DIR=~/.cache/convrec-shop python -m chat --json \"I loved the Trailwise Tent\" \"no electronics\"")
        return 0
    if argv[:1] == ["build-movies"]:
        from catalog.build_movies import main as build_movies

        return build_movies(argv[1:])
    p = argparse.ArgumentParser(prog="python -m catalog", description="Load a catalog and say what was read.")
    p.add_argument("path", type=Path, nargs="?",
                   help="a catalog folder, a catalog spec (.toml/.yaml) or a name (movies, ml-100k); default: movies")
    args = p.parse_args(argv)
    try:
        for line in describe(args.path):
            print(line)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
