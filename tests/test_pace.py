"""The explanation pace (explain/pace.py): a turn asks only for what this machine can write within its budget."""

from __future__ import annotations

import itertools

from chat.state import SessionState
from explain.pace import MIN_SENTENCE_TOKENS, Pace

BUDGET = 14.0


def _stats(rows: int, prefill_per_row: float, step: float, steps: int = 20, started: float = 0.0) -> dict:
    first = prefill_per_row * rows
    return {"rows": rows, "steps": steps, "first_token_s": first, "seconds": first + step * (steps - 1),
            "started_at": started}


def _pace(prefill_per_row: float, step: float) -> Pace:
    pace = Pace(max_new_tokens=40, candidates=2)
    pace.observe(_stats(10, prefill_per_row, step))
    return pace


def test_before_any_generation_a_turn_gets_the_defaults():
    plan = Pace(max_new_tokens=40, candidates=2).plan(5, BUDGET)
    assert (plan.rows, plan.candidates, plan.max_new_tokens, plan.expected_s) == (5, 2, 40, None)


def test_the_plan_ends_within_the_budget_at_every_speed_and_a_slower_machine_never_gets_more():
    speeds = [(p, s) for p, s in itertools.product((0.02, 0.1, 0.3, 1.0, 3.0), (0.02, 0.1, 0.2, 0.4, 0.8, 2.0))]
    work = {}
    for prefill, step in speeds:
        plan = _pace(prefill, step).plan(5, BUDGET)
        assert 0 <= plan.rows <= 5 and plan.candidates in (1, 2) and plan.max_new_tokens <= 40
        assert plan.rows == 0 or plan.expected_s <= BUDGET, (prefill, step, plan)
        work[prefill, step] = plan.rows * plan.candidates * plan.max_new_tokens
    for (p1, s1), (p2, s2) in itertools.product(speeds, speeds):
        if p2 >= p1 and s2 >= s1:
            assert work[p2, s2] <= work[p1, s1], ((p1, s1), (p2, s2))


def test_each_lever_in_turn_tokens_then_candidates_then_rows():
    fast = _pace(0.13, 0.145).plan(5, BUDGET)  # this machine on two cores
    assert (fast.rows, fast.candidates, fast.max_new_tokens) == (5, 2, 40)
    capped = _pace(0.13, 0.35).plan(5, BUDGET)
    assert (capped.rows, capped.candidates) == (5, 2) and MIN_SENTENCE_TOKENS <= capped.max_new_tokens < 40
    one = _pace(0.6, 0.3).plan(5, BUDGET)  # two candidates' prefill (6 s) leaves too few steps
    assert (one.rows, one.candidates) == (5, 1)
    fewer = _pace(1.5, 0.4).plan(5, BUDGET)
    assert 0 < fewer.rows < 5 and fewer.candidates == 1 and fewer.max_new_tokens == MIN_SENTENCE_TOKENS
    assert _pace(5.0, 0.6).plan(5, BUDGET).rows == 0  # not one sentence fits: templates at once


def test_a_generation_is_learnt_from_once_and_one_without_a_step_not_at_all():
    pace = Pace(max_new_tokens=40, candidates=2)
    pace.observe({"rows": 10, "steps": 1, "first_token_s": 1.0, "seconds": 1.0, "started_at": 1.0})
    pace.observe({})
    assert pace.generations == 0 and pace.plan(5, BUDGET).expected_s is None
    shared = _stats(10, 0.1, 0.1, started=2.0)
    pace.observe(shared)
    pace.observe(shared)  # two sessions of one batch, or a turn reading the last turn's stats again
    assert pace.generations == 1
    pace.observe(_stats(2, 0.1, 0.05, started=3.0))
    assert pace.step_for(2) < pace.step_for(3) == pace.step_for(10)  # the nearest batch at least as large


def test_warm_up_times_the_llm_and_says_what_a_turn_gets(recommender):
    assert recommender.explainer.pace.generations >= 1
    line = next(line for line in recommender.describe() if line.startswith("explanation pace"))
    assert "steps/s" in line and "5 rows" in line and f"budget {recommender.settings.llm_timeout:g} s" in line


def test_on_a_slow_machine_only_the_top_picks_go_to_the_model_and_the_rest_get_templates_at_once(recommender):
    from explain import Explainer

    llm = getattr(recommender.llm, "backend", recommender.llm)  # unbatched: its stats are ours, set on close
    explainer = Explainer(recommender.catalog, recommender.cf, recommender.linker, llm, budget_s=BUDGET)
    explainer.pace.observe(_stats(10, 1.5, 0.4))  # a machine far slower than any here (injected)
    plan = explainer.pace.plan(5, BUDGET)
    assert 0 < plan.rows < 5
    state = SessionState(moods=["tense"])
    items = [recommender.catalog[i] for i in (175, 194, 0, 49, 180)]
    import time

    started = time.perf_counter()
    events = list(explainer.explain(items, state))
    first = events[:5 - plan.rows]  # sent before the model writes a word
    assert sorted(e.row for e in first) == list(range(plan.rows, 5)) and {e.source for e in first} == {"template"}
    assert sorted(e.row for e in events) == list(range(5))
    call = next(c for c in llm.stats_log if c["started_at"] >= started)  # the first try
    assert call["rows"] == plan.rows * plan.candidates and call["steps"] <= plan.max_new_tokens
