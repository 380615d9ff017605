"""Caches are built once, reused across restarts, and rebuilt when the catalog changes (a small catalog of our own)."""

import numpy as np
import pytest

from chat.recommender import Recommender
from chat.settings import Settings

GENRES = ["Action", "Comedy", "Drama", "Horror", "Sci-Fi"]


def write_dataset(folder, rename_first=None):
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq"]
    for i in range(1, 41):
        title = rename_first if (i == 1 and rename_first) else f"Picture Number {i}"
        lines.append(f"{i}\t{title}\t{1950 + i}\t{GENRES[i % 5]} {GENRES[(i * 2) % 5]}")
    (folder / "tiny.item").write_text("\n".join(lines) + "\n")
    rows = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    for u in range(1, 31):
        for i in rng.choice(np.arange(1, 41), size=8, replace=False):
            rows.append(f"{u}\t{i}\t{rng.integers(1, 6)}\t{880000000 + u * 100 + i}")
    (folder / "tiny.inter").write_text("\n".join(rows) + "\n")


def start(data, cache):
    rec = Recommender(Settings(data=data, cache_dir=cache, use_llm=False))
    rec.warm_up()
    return rec


def test_built_once_then_reused_then_rebuilt_on_change(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_dataset(data)
    first = start(data, cache)
    assert first.index.built_now and first.cf.trained_now
    assert len(first.catalog) == 40

    again = start(data, cache)
    assert not again.index.built_now and not again.cf.trained_now
    assert np.allclose(again.index.embeddings, first.index.embeddings)

    write_dataset(data, rename_first="A Brand New Title")
    changed = start(data, cache)
    assert changed.index.built_now and changed.cf.trained_now
    assert changed.index.collection_name != first.index.collection_name
    stores = [p.name for p in changed.index.root.iterdir() if not p.name.startswith(".")]
    assert stores == [changed.index.collection_name]  # the stale store is gone

    # Another catalog in the same cache folder keeps this one's store: switching back rebuilds nothing.
    write_dataset(tmp_path / "other", rename_first="Another Catalog's Title")
    other = start(tmp_path / "other", cache)
    assert other.index.built_now
    assert not start(data, cache).index.built_now
    stores = sorted(p.name for p in changed.index.root.iterdir() if not p.name.startswith("."))
    assert stores == sorted([changed.index.collection_name, other.index.collection_name])

def test_any_catalog_works_through_the_pipeline(tmp_path):
    data = tmp_path / "data"
    write_dataset(data)
    rec = start(data, tmp_path / "cache")
    from chat.state import SessionState

    result = rec.run_turn(SessionState(), "I loved Picture Number 7, no horror")
    assert result["state"]["liked"] == ["Picture Number 7 (1957)"]
    assert result["items"] and not any("Horror" in i["genres"] for i in result["items"])


def test_wrong_dataset_folder_is_a_clear_error(tmp_path):
    rec = Recommender(Settings(data=tmp_path, cache_dir=tmp_path / "cache", use_llm=False))
    with pytest.raises(ValueError, match=r"RECS_DATA=.*holds no catalog I can read.*Fix: add a catalog.toml"):
        rec.warm_up()
