"""The validation split that tunes the movies catalog's ranking: seeded, disjoint, and its cases in the test file's format."""

import json
import re

import pytest

from evaluation import redial_validation as rv

pytestmark = pytest.mark.skipif(not (rv.SOURCES / rv.TRAIN_FILE).is_file(), reason="the shared ReDial sources are not here")


def test_the_split_is_seeded_disjoint_and_the_cases_read_like_the_test_file(tmp_path):
    from catalog import load_catalog
    from evaluation.redial_protocol import PUBLISHED, load_cases

    dialogues = rv.read_dialogues()
    training, held = rv.split(dialogues)
    again, _ = rv.split(list(reversed(dialogues)))
    ids = lambda ds: {str(d["conversationId"]) for d in ds}  # noqa: E731
    assert ids(training) == ids(again) and not ids(training) & ids(held)
    assert len(held) == round(len(dialogues) * rv.SHARE) and ids(training) | ids(held) == ids(dialogues)

    catalog = load_catalog(None)
    fewer = rv.catalog_without(catalog, training)
    assert fewer.interactions.n_users == len(training) and len(fewer.interactions) < len(catalog.interactions)
    assert fewer.popularity.sum() < catalog.popularity.sum() and fewer.ranking == catalog.ranking

    path = tmp_path / "cases.jsonl"
    n = rv.write_cases(held, catalog, path)
    cases = load_cases(path)
    assert len(cases) == n > 0 and {c.format for c in cases} == {PUBLISHED}
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert all(case["context"] for case in lines)
    # mentions are written as titles, never as ReDial's "@123" marks
    assert not [t["text"] for case in lines for t in case["context"] if re.search(r"@\d", t["text"])]
    # a target named before in the dialogue is a repeat
    assert any(t["repeat"] for line in path.read_text().splitlines() for t in json.loads(line)["targets"])
