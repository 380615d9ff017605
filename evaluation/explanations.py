"""`explanations`: are the shown explanations true, personal and written by the LLM?

A fixed, seeded set of requests (liked titles, wishes, genres, decades, exclusions; a few take two
turns) goes through the real pipeline with the LLM, k picks each. Every shown explanation of the
last turn is judged by the claim checker (`explain/claims.py`) against the facts of its item and the
session (`explain/facts.py`), the same checker the explainer runs before showing text. Reported:
the shares of faithful, personalised, well-formed and LLM-written explanations, replies whose
openings are all alike, the time from the user's message to the first generated token and to the
first shown explanation, the failing sentences, and a seeded sample of all sentences.
"""

from __future__ import annotations

import dataclasses
import random
import re
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

WISHES = ("tense", "funny", "feel-good", "for kids", "scary", "romantic", "dark", "moving", "action-packed", "mind-bending")
GENRES = ("action", "comedy", "drama", "thriller", "sci-fi", "romance", "horror", "western", "crime",
          "adventure", "war", "mystery", "animation", "musical")
DECADES = (1950, 1960, 1970, 1980, 1990)
# Request shapes; {a} {b} {c} are liked titles, then a wish, a genre, a decade, a year.
SHAPES = (
    ("I loved {a} and {b}",),
    ("I loved {a}; something {wish} tonight",),
    ("a {genre} movie from the {decade}s",),
    ("something {wish}, {genre} please",),
    ("I loved {a}, {b} and {c}, no {genre}",),
    ("I loved {a}, something {wish} from the {decade}s",),
    ("{wish} {genre} before {year}",),
    ("I loved {a}", "something {wish}"),
    ("I loved {a} and {b}", "no {genre}"),
    ("something {wish}", "I loved {a}"),
)


def requests(catalog, n: int = 32, seed: int = 0) -> list[list[str]]:
    """`n` dialogues (lists of turns), the same for the same catalog and seed: every shape in turn."""
    rng = random.Random(seed)
    popular = [i for i in np.argsort(-np.asarray(catalog.popularity))[:300] if catalog[int(i)].year and catalog[int(i)].titled]
    out = []
    for r in range(n):
        a, b, c = (catalog[int(i)].display for i in rng.sample(popular, 3))
        decade = rng.choice(DECADES)
        fill = {"a": a, "b": b, "c": c, "wish": rng.choice(WISHES), "genre": rng.choice(GENRES),
                "decade": decade, "year": decade + rng.choice((0, 5))}
        out.append([t.format(**fill) for t in SHAPES[r % len(SHAPES)]])
    return out


def run(cache_dir=None, data=None, n: int = 32, k: int = 5, seed: int = 0, progress: bool = True,
        use_llm: bool = True, llm: str | None = None) -> dict:
    from explain.claims import ClaimChecker
    from explain.sentence_form import openings_alike
    from explain.facts import build_facts
    from chat.recommender import Recommender
    from chat.settings import Settings
    from chat.state import SessionState

    overrides = {"cache_dir": cache_dir, "data": data, "use_llm": use_llm, "llm": llm}
    settings = Settings.from_env(**{key: v for key, v in overrides.items() if v is not None})
    rec = Recommender(settings)
    rec.warm_up()
    checker = ClaimChecker(rec.linker)
    dialogues = requests(rec.catalog, n, seed)
    rec.run_turn(SessionState(), "I loved Star Wars (1977)", k=k)  # warm-up: first-call costs, not timed

    rows, replies, skipped = [], [], []
    first_token, first_shown, turn_total, first_pick, last_final = [], [], [], [], []
    for d, turns in enumerate(tqdm(dialogues, desc="requests", disable=not progress)):
        state = SessionState()
        for t, message in enumerate(turns):
            started = time.perf_counter()
            result, shown_at, picks_at, final_at = None, None, None, None
            for event in rec.turn(state, message, k=k):
                now = time.perf_counter()
                if event.kind == "items" and picks_at is None:
                    picks_at = now  # the picks, each with its template, are on screen
                if event.kind == "explanation" and shown_at is None:
                    shown_at = now
                if event.kind == "explanation" and event.final:
                    final_at = now
                if event.kind == "done":
                    result = event.result
                    final_at = final_at or now
            if t < len(turns) - 1:
                continue
            if not result["items"]:
                skipped.append({"dialogue": d, "turns": turns, "reply": result["reply"]})
                continue
            turn_total.append(result["timings_ms"]["total"] / 1000)
            if picks_at is not None:
                first_pick.append(picks_at - started)
            last_final.append(final_at - started)
            if shown_at is not None:
                first_shown.append(shown_at - started)
            calls = [c for c in getattr(rec.llm, "stats_log", []) if c["started_at"] >= started] if use_llm else []
            if calls and calls[0]["first_token_at"] is not None:
                first_token.append(calls[0]["first_token_at"] - started)
            for item in result["items"]:
                facts = build_facts(rec.catalog[item["id"]], state, rec.catalog, rec.cf)
                rows.append(judge(checker, facts, {
                    "dialogue": d, "request": turns, "item": item["title"], "genres": item["genres"],
                    "text": item["why"], "source": item["why_source"], "facts": facts_to_dict(facts)}))
            replies.append({"dialogue": d, "openings_alike": openings_alike([i["why"] for i in result["items"]])})
    times = {"first_token": first_token, "first_shown": first_shown, "turn_total": turn_total,
             "first_pick": first_pick, "last_final": last_final}
    llm_name = None
    if use_llm:  # the device and number type too: they change the speed (RECS_LLM_DTYPE)
        where = [str(getattr(rec.llm, key, None) or "") for key in ("device", "dtype")]
        llm_name = rec.llm.name + (f" on {', '.join(w for w in where if w)}" if any(where) else "")
    return summarise(rows, replies, skipped, times, llm_name, n, k, seed)


def judge(checker, facts, row: dict) -> dict:
    verdict = checker.check(row["text"], facts)
    return {**row, "faithful": verdict.faithful, "personalised": verdict.personalised,
            "well_formed": verdict.well_formed, "problems": verdict.problems, "form": verdict.form, "ties": verdict.ties,
            "specifics": verdict.specifics}


def facts_to_dict(facts) -> dict:
    out = {f.name: getattr(facts, f.name) for f in dataclasses.fields(facts) if f.name not in ("item", "catalog_genres")}
    return {"item_id": facts.item.id, **{k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}}


def facts_from_dict(catalog, data: dict):
    from explain.facts import Facts, catalog_genres

    fields = {f.name for f in dataclasses.fields(Facts)} - {"item", "catalog_genres"}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in fields}
    return Facts(item=catalog[data["item_id"]], catalog_genres=catalog_genres(catalog), **values)


def rejudge(path, data=None) -> dict:
    """Judge the sentences of an earlier run's --json output again, with today's checker (same sentences, same facts)."""
    import json

    from catalog import load_catalog
    from explain.claims import ClaimChecker
    from explain.sentence_form import openings_alike
    from chat.linker import TitleLinker
    from chat.settings import Settings

    old = json.loads(Path(path).read_text())
    if old.get("command") != "explanations" or "times" not in old:
        raise ValueError(f"--rejudge {path}: not the --json output of `python -m evaluation explanations`; "
                         "run that command with --json and pass its file")
    catalog = load_catalog(Settings.from_env(data=data).data)
    checker = ClaimChecker(TitleLinker(catalog))
    rows = [judge(checker, facts_from_dict(catalog, r["facts"]), r) for r in old["rows"]]
    replies = []
    for d in sorted({r["dialogue"] for r in rows}):
        replies.append({"dialogue": d, "openings_alike": openings_alike([r["text"] for r in rows if r["dialogue"] == d])})
    result = summarise(rows, replies, old["skipped"], old["times"], old["llm"], old["requests"], old["k"], old["seed"])
    result["rejudged"] = str(path)
    return result


# Issue 26: "most have one shape: '<name>'s <title> is a <genre list>, the kind you asked for'"; and the looser
# "<name>'s <title> is a ..." opening that shape shares
KIND_YOU_ASKED_FOR = re.compile(r"^[A-Z][\w.'’ -]*?['’]s?\s+.+?\s+is\s+an?\s+[^,]+,\s+the kind you (?:asked for|loved|wanted)[.!]?$")
MAKERS_TITLE_IS_A = re.compile(r"^[A-Z][\w.'’ -]*?(?:['’]s|s['’])\s+.+?\s+is\s+(?:an?|the)\s")


def concrete(row: dict) -> bool:
    """Whether a sentence uses a fact from the description (a plot word, a subject) or a person: beyond genre,
    year and the liked title (issue 26's bar)."""
    return any(s.startswith(("person ", "description ", "subject ")) for s in row.get("specifics", []))


def summarise(rows, replies, skipped, times, llm_name, n, k, seed) -> dict:
    def share(key, value=True):
        return round(sum(r[key] == value for r in rows) / len(rows), 4) if rows else None

    def seconds(values):
        if not values:
            return None
        return {"median": round(float(np.median(values)), 3), "p95": round(float(np.percentile(values, 95)), 3),
                "n": len(values)}

    sample = random.Random(seed).sample(rows, min(10, len(rows)))
    llm_rows = [r for r in rows if r["source"] == "llm"]

    def llm_share(test):
        return round(sum(bool(test(r)) for r in llm_rows) / len(llm_rows), 4) if llm_rows else None
    llm_sample = random.Random(seed + 1).sample(llm_rows, min(10, len(llm_rows)))
    return {
        "command": "explanations", "requests": n, "k": k, "seed": seed,
        "llm": llm_name,
        "explanations": len(rows), "replies": len(replies), "skipped": skipped,
        "faithful": share("faithful"), "personalised": share("personalised"), "well_formed": share("well_formed"),
        "llm_written": share("source", "llm"),
        # issue 17: an LLM sentence that uses a fact beyond genre and year (a person, subject, liked title, description)
        "llm_specific": round(sum(bool(r["specifics"]) for r in llm_rows) / len(llm_rows), 4) if llm_rows else None,
        "specific": round(sum(bool(r["specifics"]) for r in rows) / len(rows), 4) if rows else None,
        # issue 26: a fact from the description or a person, beyond genre, year and the liked title (bar: 50%)
        "llm_description_or_person": llm_share(concrete),
        "llm_description": llm_share(lambda r: any(s.startswith("description ") for s in r.get("specifics", []))),
        "llm_kind_you_asked_for": llm_share(lambda r: bool(KIND_YOU_ASKED_FOR.match(r["text"]))),
        "llm_makers_title_is_a": llm_share(lambda r: bool(MAKERS_TITLE_IS_A.match(r["text"]))),
        "faithful_and_personalised": round(sum(r["faithful"] and r["personalised"] for r in rows) / len(rows), 4) if rows else None,
        "replies_with_alike_openings": round(sum(r["openings_alike"] for r in replies) / len(replies), 4) if replies else None,
        "first_generated_token_s": seconds(times["first_token"]),
        "first_shown_explanation_s": seconds(times["first_shown"]),
        "turn_s": seconds(times["turn_total"]),
        "first_pick_s": seconds(times.get("first_pick", [])),
        "last_explanation_final_s": seconds(times.get("last_final", [])),
        "times": times,
        "failing": [r for r in rows if not (r["faithful"] and r["well_formed"])],
        "not_personalised": [r for r in rows if not r["personalised"]],
        "sample": sample,
        "llm_sample": llm_sample,
        "rows": rows,
    }


def _time_line(what: str, t: dict | None) -> list[str]:
    return [f"{what}: median {t['median']} s, p95 {t['p95']} s"] if t else []


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def format_table(result: dict) -> str:
    r = result
    ft, fs, tt = r["first_generated_token_s"], r["first_shown_explanation_s"], r["turn_s"]
    lines = [
        f"explanations: {r['explanations']} shown in {r['replies']} replies to {r['requests']} seeded requests "
        f"(k={r['k']}, seed {r['seed']}, LLM {r['llm']}); {len(r['skipped'])} requests got no picks",
        "",
        f"{'faithful (no unsupported claim)':<40}{_pct(r['faithful']):>8}",
        f"{'personalised':<40}{_pct(r['personalised']):>8}",
        f"{'well-formed (one sentence, length)':<40}{_pct(r['well_formed']):>8}",
        f"{'written by the LLM (not the template)':<40}{_pct(r['llm_written']):>8}",
        f"{'faithful and personalised':<40}{_pct(r['faithful_and_personalised']):>8}",
        f"{'LLM sentences with a specific fact':<40}{_pct(r.get('llm_specific')):>8}",
        f"{'  (all shown, templates included)':<40}{_pct(r.get('specific')):>8}",
        f"{'LLM: description fact or person':<40}{_pct(r.get('llm_description_or_person')):>8}",
        f"{'LLM: a plot word of the description':<40}{_pct(r.get('llm_description')):>8}",
        f"{'LLM: ..., the kind you asked for':<40}{_pct(r.get('llm_kind_you_asked_for')):>8}",
        f"{'LLM: <name>s <title> is a ...':<40}{_pct(r.get('llm_makers_title_is_a')):>8}",
        f"{'replies whose openings are all alike':<40}{_pct(r['replies_with_alike_openings']):>8}",
        "",
        f"first generated token after the message: median {ft['median'] if ft else '-'} s, p95 {ft['p95'] if ft else '-'} s",
        f"first explanation shown after the message: median {fs['median'] if fs else '-'} s, p95 {fs['p95'] if fs else '-'} s",
        f"whole turn: median {tt['median'] if tt else '-'} s, p95 {tt['p95'] if tt else '-'} s",
        *_time_line("first pick shown (with its template) after the message", r.get("first_pick_s")),
        *_time_line("last explanation of the turn final after the message", r.get("last_explanation_final_s")),
        *([r["cores"]] if r.get("cores") else []),
        "",
        f"failing sentences ({len(r['failing'])}):",
    ]
    for row in r["failing"]:
        lines.append(f"- [{row['source']}] {row['item']}: {row['text']!r}")
        lines.append(f"    {'; '.join(row['problems'] + row['form'])}")
    lines += ["", f"not personalised ({len(r['not_personalised'])}):"]
    lines += [f"- [{row['source']}] {row['item']}: {row['text']!r}" for row in r["not_personalised"]]
    lines += ["", "10 sentences picked at random (seeded):"]
    for row in r["sample"]:
        marks = ", ".join(m for m, ok in (("faithful", row["faithful"]), ("personalised", row["personalised"])) if ok)
        lines.append(f"- [{row['source']}] {row['item']} <- {' / '.join(row['request'])}: {row['text']!r} ({marks or 'neither'})")
    lines += ["", "10 LLM sentences picked at random (seeded), with the specific facts they use:"]
    for row in r.get("llm_sample", []):
        lines.append(f"- {row['item']}: {row['text']!r} ({'; '.join(row.get('specifics', [])) or 'genre and year only'})")
    return "\n".join(lines)
