"""Catalog loaders on real files: ml-100k as recbole ships it and as grouplens.org does, an ml-latest-style
folder, generic CSV/TSV/JSONL tables with and without a spec, and the errors for files that do not fit."""

import json
import re

import numpy as np
import pytest

from catalog import CatalogError, load_catalog
from catalog.demo_shop import write_shop
from catalog.movie_words import MOVIE_CATEGORY_WORDS
from catalog.movielens import tidy_title
from catalog_files import write_ml100k_layout, write_ml_latest


def test_titles_are_written_the_way_people_write_them():
    assert tidy_title("Empire Strikes Back, The") == ("The Empire Strikes Back", None)
    assert tidy_title("Godfather: Part II, The") == ("The Godfather: Part II", None)
    assert tidy_title("Postino, Il") == ("Il Postino", None)
    assert tidy_title("City of Lost Children, The (Cité des enfants perdus, La)") == (
        "The City of Lost Children (Cité des enfants perdus, La)", None)
    assert tidy_title("Land Before Time III: The Time (1995)") == ("Land Before Time III: The Time", 1995)
    assert tidy_title("Star Wars") == ("Star Wars", None)
    assert tidy_title("Planet Earth (2006–2007)") == ("Planet Earth", 2006)  # ml-latest's series


def test_ml100k_from_the_recbole_package():
    catalog = load_catalog("ml-100k")
    assert len(catalog) == 1681  # 1682 rows minus the untitled placeholder
    assert catalog.interactions.n_users == 943
    titles = {it.display for it in catalog.items}
    assert "The Empire Strikes Back (1980)" in titles
    assert not any(it.title.lower() in ("unknown", "unkonwn") for it in catalog.items)
    assert "Sci-Fi" in catalog.genres and "unknown" not in catalog.genres
    assert catalog.popularity.sum() == len(catalog.interactions)
    assert (catalog.noun, catalog.nouns, catalog.category_label) == ("movie", "movies", "genre")
    jedi = catalog.by_source_id("181")
    assert jedi.display == "Return of the Jedi (1983)" and catalog[jedi.id] is jedi and jedi.id != 181
    # the movie words per genre are MovieLens' default catalog data, and they reach the embedded text
    alien = catalog.by_source_id(183)
    assert catalog.document(alien) == ("Alien (1979). Genres: Action, Horror, Sci-Fi, Thriller. "
                                       + "; ".join(MOVIE_CATEGORY_WORDS[g] for g in alien.genres) + ".")


def test_ml100k_in_movielens_own_layout_is_the_same_catalog(tmp_path):
    shipped = load_catalog("ml-100k")
    own = load_catalog(write_ml100k_layout(tmp_path / "ml-100k"))
    assert "MovieLens 100K" in own.source
    assert [(it.source_id, it.title, it.year, it.genres) for it in own.items] == \
           [(it.source_id, it.title, it.year, it.genres) for it in shipped.items]
    for name in ("user", "item", "rating", "timestamp"):
        assert np.array_equal(getattr(own.interactions, name), getattr(shipped.interactions, name)), name
    assert own.fingerprint == shipped.fingerprint  # so both share one index and ALS model in a cache folder


def test_ml_latest_folder_with_tags_as_item_text(tmp_path):
    catalog = load_catalog(write_ml_latest(tmp_path / "ml-latest-small"))
    assert len(catalog) == 200 and "MovieLens CSV" in catalog.source
    star_wars = next(it for it in catalog.items if it.title == "Star Wars")
    assert star_wars.year == 1977 and star_wars.source_id == "50"
    assert star_wars.tags == ("space opera", "classic")  # case folded, the most used first
    assert "Tags: space opera, classic." in catalog.document(star_wars)
    assert "Children" in catalog.genres and "Children's" not in catalog.genres
    assert catalog.category_words["Children"] == MOVIE_CATEGORY_WORDS["Children's"]
    assert "999999" not in {it.source_id for it in catalog.items}  # the rating of an unknown movie was dropped
    assert catalog.interactions.rating.dtype == np.float32 and catalog.interactions.n_users > 900


def _write_generic(folder, items_text, inter_text, items_name="items.csv", inter_name="interactions.csv"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / items_name).write_text(items_text, encoding="utf-8")
    (folder / inter_name).write_text(inter_text, encoding="utf-8")
    return folder


BOOKS_CSV = """book_id,title,genres,published,summary,author
b1,The Quiet Orchard,Fiction|Family,2019-05-01,"Three sisters, one farm, one summer.",A. Rowe
b2,Salt Roads,History,1998,A history of the salt trade.,K. Imari
b3,Night Garden,Fiction;Fantasy,,,
"""
BOOKS_INTER = """user_id,book_id,rating,timestamp
u1,b1,5,2024-01-02 10:00
u1,b2,3,2024-01-03
u2,b1,4,1704153600
u2,zz,4,
"""


def test_generic_csv_folder_found_by_usual_column_names(tmp_path):
    catalog = load_catalog(_write_generic(tmp_path / "books", BOOKS_CSV, BOOKS_INTER))
    b1, b2, b3 = catalog.items
    assert (b1.source_id, b1.title, b1.year, b1.genres) == ("b1", "The Quiet Orchard", 2019, ("Fiction", "Family"))
    assert b1.description == "Three sisters, one farm, one summer." and b1.extra == {"author": "A. Rowe"}
    assert (b2.year, b3.year, b3.genres, b3.description) == (1998, None, ("Fiction", "Fantasy"), "")
    assert catalog.document(b1) == ("The Quiet Orchard (2019). Categories: Fiction, Family. fiction; family. "
                                    "Three sisters, one farm, one summer.")
    inter = catalog.interactions
    assert inter.n_users == 2 and len(inter) == 3  # the unknown book 'zz' is left out
    assert inter.timestamp.tolist() == [1704189600, 1704240000, 1704153600]
    assert inter.rating.tolist() == [5.0, 3.0, 4.0]
    assert (catalog.noun, catalog.category_label) == ("item", "category")


def test_generic_tsv_and_jsonl_read_like_csv(tmp_path):
    tsv = _write_generic(tmp_path / "tsv", BOOKS_CSV.replace(",", "\t").replace('"Three sisters\t one farm\t one summer."',
                                                                                   "Three sisters, one farm, one summer."),
                         BOOKS_INTER.replace(",", "\t"), "items.tsv", "interactions.tsv")
    rows = [{"id": "b1", "name": "The Quiet Orchard", "categories": ["Fiction", "Family"], "year": 2019},
            {"id": "b2", "name": "Salt Roads", "categories": ["History"], "year": None}]
    events = [{"user": "u1", "item": "b1", "count": 2}, {"user": "u2", "item": "b2"}]
    jsonl = _write_generic(tmp_path / "jsonl", "\n".join(map(json.dumps, rows)), "\n".join(map(json.dumps, events)),
                           "items.jsonl", "interactions.jsonl")
    a, b = load_catalog(tsv), load_catalog(jsonl)
    assert a.items[0].genres == b.items[0].genres == ("Fiction", "Family")
    assert a.items[0].year == b.items[0].year == 2019 and b.items[1].year is None
    assert b.interactions.rating.tolist() == [2.0, 1.0]  # a weight column, 1 where empty


SPEC_TOML = """
name = "bookshop"
noun = "book"
category_label = "shelf"
category_labels = "shelves"
[items]
file = "catalogue.csv"
id = "code"
title = "label"
categories = "shelves"
separators = "/"
description = "about"
extra = ["author"]
[interactions]
file = "loans.tsv"
user = "reader"
item = "code"
[category_words]
"Science Fiction" = "space, robots, the future"
[category_synonyms]
"sci fi" = "Science Fiction"
"""
SPEC_ITEMS = """code,label,shelves,about,author,isbn
7,Starfall,Science Fiction/Adventure,A ship lost between stars.,R. Vance,978-1
8,Tidewater,Romance,,M. Lark,978-2
"""
SPEC_LOANS = "reader\tcode\nr1\t7\nr2\t7\nr2\t8\n"


def test_a_toml_or_yaml_spec_names_files_columns_noun_and_words(tmp_path):
    import yaml
    import tomllib

    folder = _write_generic(tmp_path / "shelf", SPEC_ITEMS, SPEC_LOANS, "catalogue.csv", "loans.tsv")
    (folder / "catalog.toml").write_text(SPEC_TOML, encoding="utf-8")
    (tmp_path / "elsewhere.yaml").write_text(yaml.safe_dump({**tomllib.loads(SPEC_TOML), "folder": "shelf"}), encoding="utf-8")
    for where in (folder, folder / "catalog.toml", tmp_path / "elsewhere.yaml"):
        catalog = load_catalog(where)
        assert (catalog.noun, catalog.nouns, catalog.category_label) == ("book", "books", "shelf")
        starfall = catalog.by_source_id("7")
        assert starfall.genres == ("Science Fiction", "Adventure") and starfall.extra == {"author": "R. Vance"}
        assert catalog.document(starfall) == ("Starfall. Shelves: Science Fiction, Adventure. space, robots, the future; "
                                              "adventure. A ship lost between stars.")
        assert catalog.category_synonyms == {"sci fi": "Science Fiction"}
        assert len(catalog.interactions) == 3


def test_the_demo_shop_is_a_known_product_catalog(tmp_path):
    shop = write_shop(tmp_path / "shop")
    catalog = load_catalog(shop.spec)
    assert len(catalog) == len(shop.names) == 288 and catalog.noun == "product"
    assert catalog.interactions.n_users == 500 and catalog.year_range is None
    tent = catalog.by_source_id(shop.groups["camping"][0])
    assert tent.title == shop.names[tent.source_id] == "Trailwise Tent" and tent.description
    assert tent.extra.keys() == {"brand", "price"}
    # customers of a group buy inside it, but for one purchase each
    group_of = {sku: g for g, skus in shop.groups.items() for sku in skus}
    users = catalog.interactions.user
    groups_per_user = [len({group_of[catalog[int(i)].source_id] for i in catalog.interactions.item[users == u]})
                       for u in range(catalog.interactions.n_users)]
    assert max(groups_per_user) <= 2


# --- errors: each names the file, the column and the fix, with what was expected and what was found ---

def _error(where) -> str:
    with pytest.raises(CatalogError) as err:
        load_catalog(where)
    return str(err.value)


def test_missing_dataset_folder_names_the_setting(tmp_path):
    with pytest.raises(FileNotFoundError, match="RECS_DATA"):
        load_catalog(tmp_path / "nope")


def test_a_folder_of_unknown_files_lists_what_was_found_and_what_each_format_reads(tmp_path):
    (tmp_path / "stuff.xlsx").write_text("x")
    msg = _error(tmp_path)
    assert "stuff.xlsx" in msg and "u.item and u.data" in msg and "movielens: movies.csv and ratings.csv" in msg
    assert "catalog.toml" in msg and "Fix:" in msg


def test_a_missing_column_names_the_file_what_was_expected_and_found(tmp_path):
    folder = _write_generic(tmp_path / "x", "sku,label\n1,Lamp\n", "user,sku\nu,1\n")
    msg = _error(folder)
    assert "items.csv" in msg and "no title column" in msg and "'title'" in msg.replace("expected one named title", "'title'")
    assert "found columns: sku, label" in msg and '[items] title = "<your column>"' in msg


def test_a_spec_column_that_is_not_in_the_file(tmp_path):
    folder = _write_generic(tmp_path / "shelf", SPEC_ITEMS, SPEC_LOANS, "catalogue.csv", "loans.tsv")
    (folder / "catalog.toml").write_text(SPEC_TOML.replace('title = "label"', 'title = "heading"'))
    msg = _error(folder)
    assert "catalogue.csv" in msg and "'heading'" in msg and "[items] title" in msg and "code, label, shelves" in msg


def test_a_typo_in_the_spec_suggests_the_key(tmp_path):
    folder = _write_generic(tmp_path / "shelf", SPEC_ITEMS, SPEC_LOANS, "catalogue.csv", "loans.tsv")
    (folder / "catalog.toml").write_text(SPEC_TOML.replace('title = "label"', 'titel = "label"'))
    msg = _error(folder)
    assert "catalog.toml" in msg and "unknown key 'titel'" in msg and "did you mean 'title'" in msg


def test_a_value_that_is_no_number_names_its_line(tmp_path):
    folder = _write_generic(tmp_path / "x", "id,title\n1,Lamp\n", "user,item,rating\nu,1,5\nv,1,five\n")
    msg = _error(folder)
    assert "interactions.csv: line 3" in msg and "'rating'" in msg and "'five'" in msg


def test_ids_that_match_nothing_show_both_sides(tmp_path):
    folder = _write_generic(tmp_path / "x", "id,title\nA1,Lamp\n", "user,item\nu,1\nv,2\n")
    msg = _error(folder)
    assert "interactions.csv" in msg and "column 'item'" in msg and "found 1, 2" in msg and "items have A1" in msg


def test_duplicate_ids_and_unknown_format_and_misplaced_sections(tmp_path):
    folder = _write_generic(tmp_path / "dup", "id,title\n1,Lamp\n1,Chair\n", "user,item\nu,1\n")
    assert "holds '1' more than once (lines 2, 3)" in _error(folder)
    spec = tmp_path / "odd.toml"
    spec.write_text('format = "excel"\nfolder = "dup"\n')
    assert "format 'excel' is unknown; known formats: recbole, movielens-100k, movielens, generic" in _error(spec)
    spec.write_text('format = "movielens"\nfolder = "dup"\n[items]\nid = "x"\n')
    assert "only the generic format reads" in _error(spec)
    spec.write_text('noun = "lamp"\n[items]\nfile = "missing.csv"\n')
    assert "missing.csv: not found" in _error(spec)


def test_the_chat_stops_on_a_bad_catalog_before_loading_models(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    folder = _write_generic(tmp_path / "x", "sku,label\n1,Lamp\n", "user,sku\nu,1\n")
    env = {**os.environ, "PYTHONPATH": str(root), "RECS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "chat", "--data", str(folder), "--json", "hi"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "items.csv: has no title column" in proc.stderr and "Fix:" in proc.stderr
    assert not (tmp_path / "cache").exists()  # nothing was built for a catalog that cannot be read


def test_a_spec_ranking_section_tunes_the_catalog_and_refuses_unknown_keys(tmp_path):
    from cf.als import ALSConfig
    from ranking.ranker import FULL_EVIDENCE, evidence_weight

    folder = _write_generic(tmp_path / "shelf", SPEC_ITEMS, SPEC_LOANS, "catalogue.csv", "loans.tsv")
    (folder / "catalog.toml").write_text(SPEC_TOML + "\n[ranking]\nals_alpha = 20\nfull_evidence = 1\n", encoding="utf-8")
    catalog = load_catalog(folder)
    assert catalog.ranking == {"als_alpha": 20.0, "full_evidence": 1.0}
    assert ALSConfig.for_catalog(catalog).alpha == 20.0 and ALSConfig.for_catalog(load_catalog(None)).alpha == 20.0
    assert evidence_weight(0.7, 1, 1) == pytest.approx(0.7) and evidence_weight(0.7, 1) == pytest.approx(0.7 / FULL_EVIDENCE)
    for bad in ("alpha = 20", "als_alpha = -1", 'als_alpha = "high"'):
        (folder / "catalog.toml").write_text(SPEC_TOML + f"\n[ranking]\n{bad}\n", encoding="utf-8")
        msg = _error(folder)
        assert "[ranking]" in msg and "als_alpha" in msg and "full_evidence" in msg, msg


def test_python_m_catalog_reports_every_film_its_field_coverage_and_the_untitled_ones():
    from catalog.__main__ import describe

    lines = describe(None)
    assert lines[0].startswith("movies: 6,924 movies")  # every film of ReDial's list
    coverage = next(line for line in lines if line.startswith("fields,"))
    for field in ("genres", "directors", "cast", "director or cast", "subjects/tags", "description"):
        assert f"{field} " in coverage, field
    assert any("without a title (ids 103034, 182022)" in line and "never linked, shown or recommended" in line
               for line in lines)


def _field_share(coverage: str, field: str) -> float:
    match = re.search(rf"{re.escape(field)} [\d,]+ \((\d+\.\d)%\)", coverage)
    assert match, (field, coverage)
    return float(match.group(1)) / 100


def test_python_m_catalog_shows_the_movies_catalog_meets_issue_26s_floors():
    """What the shipped catalog knows, as `python -m catalog` prints it (issue 26's "Done when")."""
    from catalog.__main__ import describe

    coverage = next(line for line in describe(None) if line.startswith("fields,"))
    assert _field_share(coverage, "description") >= 0.60 and _field_share(coverage, "directors") >= 0.85
    assert _field_share(coverage, "cast") >= 0.80 and _field_share(coverage, "genres") >= 0.85
    top = re.search(r"description among the 500 with the most interactions: [\d,]+ \((\d+\.\d)%\)", coverage)
    assert top and float(top.group(1)) >= 90.0, coverage


def test_the_shipped_movies_catalog_states_what_wikipedia_states():
    """Facts the catalog had missing or wrong before Wikipedia's articles were joined (issue 26)."""
    catalog = load_catalog(None)
    by_name = {(it.title, it.year): it for it in catalog.items}
    assert by_name[("Get Out", 2017)].directors == ("Jordan Peele",)
    assert by_name[("John Wick", 2014)].directors == ("Chad Stahelski",)
    assert "Chadwick Boseman" in by_name[("Black Panther", 2018)].cast
    assert "Animation" in by_name[("Coco", 2017)].genres and "Crime" not in by_name[("Coco", 2017)].genres
    assert {"Animation", "Comedy"} <= set(by_name[("Toy Story 2", 1999)].genres)
    assert by_name[("Get Out", 2017)].extra == {"wikipedia": "Get_Out"}  # the page its description is from
