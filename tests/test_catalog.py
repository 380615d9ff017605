from catalog.movielens import load_catalog, tidy_title


def test_titles_are_written_the_way_people_write_them():
    assert tidy_title("Empire Strikes Back, The") == ("The Empire Strikes Back", None)
    assert tidy_title("Godfather: Part II, The") == ("The Godfather: Part II", None)
    assert tidy_title("Postino, Il") == ("Il Postino", None)
    assert tidy_title("City of Lost Children, The (Cité des enfants perdus, La)") == (
        "The City of Lost Children (Cité des enfants perdus, La)", None)
    assert tidy_title("Land Before Time III: The Time (1995)") == ("Land Before Time III: The Time", 1995)
    assert tidy_title("Star Wars") == ("Star Wars", None)


def test_ml100k_from_the_recbole_package():
    catalog = load_catalog()
    assert len(catalog) == 1681  # 1682 rows minus the untitled placeholder
    assert catalog.interactions.n_users == 943
    titles = {it.display for it in catalog.items}
    assert "The Empire Strikes Back (1980)" in titles
    assert not any(it.title.lower() in ("unknown", "unkonwn") for it in catalog.items)
    assert "Sci-Fi" in catalog.genres and "unknown" not in catalog.genres
    assert catalog.popularity.sum() == len(catalog.interactions)


def test_missing_dataset_folder_names_the_setting(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="RECS_DATA"):
        load_catalog(tmp_path / "nope")
