"""`python -m catalog build-movies SOURCES OUT`: build the movie catalog from open sources.

SOURCES is the folder of /work/shared/data/movies/sources (redial/, links/, wikidata/, dbpedia/,
wikipedia/); OUT receives items.jsonl, interactions.csv, catalog.toml and README.md. The work is done
by the package catalog.movie_build (one module per source); this module is the command line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REQUIRED = ("redial/movies.csv", "redial/train.jsonl", "links/redial_imdb.csv", "links/redial_dbpedia.json",
            "wikidata/movie_uri.json", "dbpedia/dbpedia_subkg.json", "wikipedia/first_sentences.txt",
            "wikipedia-movies/film-lists-2016.json", "wikidata-films/wikidata-movies.json.gz")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m catalog build-movies",
                                description="Build the movie catalog (data/movies) from the open sources.")
    p.add_argument("sources", type=Path, help="the sources folder (redial/, links/, wikidata/, dbpedia/, wikipedia/)")
    p.add_argument("out", type=Path, help="the catalog folder to write")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    missing = [name for name in REQUIRED if not (args.sources / name).is_file()]
    if missing:
        print(f"error: {args.sources} lacks {', '.join(missing)}: give the folder that holds redial/, links/, "
              f"wikidata/, dbpedia/, wikipedia/, wikipedia-movies/ and wikidata-films/", file=sys.stderr)
        return 2
    from catalog.movie_build import build_catalog

    start = time.perf_counter()
    print(f"build-movies: reading {args.sources}")
    result, files = build_catalog(args.sources, args.out)
    for line in result.coverage_lines():
        print(line)
    print(f"wrote {', '.join(str(f) for f in files)} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
