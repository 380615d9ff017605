"""Check a catalog before the chat uses it, or write the demo shop.

    python -m catalog PATH               # load a folder or catalog spec and say what was read
    python -m catalog demo-shop FOLDER   # write the generated product catalog (catalog.demo_shop)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def describe(path: Path | None) -> list[str]:
    from catalog import load_catalog

    catalog = load_catalog(path)
    first = catalog[0]
    lines = [
        f"{catalog.name}: {len(catalog):,} {catalog.nouns}, {catalog.interactions.n_users:,} users, "
        f"{len(catalog.interactions):,} interactions, read from {catalog.source}",
        f"{len(catalog.genres)} {catalog.category_label} names: " + ", ".join(catalog.genres[:20])
        + (" ..." if len(catalog.genres) > 20 else ""),
        f"years: {catalog.year_range[0]} to {catalog.year_range[1]}" if catalog.year_range else "years: none",
        f"descriptions: {sum(bool(it.description) for it in catalog.items):,} of {len(catalog):,} {catalog.nouns}; "
        f"tags: {sum(bool(it.tags) for it in catalog.items):,}",
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
    p = argparse.ArgumentParser(prog="python -m catalog", description="Load a catalog and say what was read.")
    p.add_argument("path", type=Path, nargs="?", help="a catalog folder or a catalog spec (.toml/.yaml); default ml-100k")
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
