"""Scripted dialogue suite: multi-turn conversations with expectations, run through the real pipeline.

A suite file (YAML) holds a list of dialogues:

    - id: batman-first-one
      about: an ambiguous title gets a question; "the first one" answers it
      turns:
        - say: I loved Batman
          expect: {clarify: [Batman (1989), Batman Returns (1992)], items_count: 0}
        - say: the first one
          expect: {liked: [Batman (1989)], items_min: 3}

`say` may hold {1}..{5} or {last}: the title (without year) of that item of the previous reply,
as a user reading the list would type it. Expectations (all optional, all must hold):

  items / not_items / items_any      titles that must / must not / at least one must appear
  items_count, items_min             number of items in the reply
  genres_any, genres_all, genres_none  every item has at least one / all / none of these genres
  year_min, year_max                 every item's year lies within
  liked, disliked, seen              titles the state holds after the turn (a subset)
  not_liked, not_disliked, not_seen  titles the state must not hold
  liked_shown, disliked_shown, seen_shown, not_seen_shown
                                     positions (1-based, -1 = last) of the previous reply's items
                                     that the state holds / doesn't hold after the turn
  genres_wanted, genres_only, genres_excluded
                                     the state's genre preferences (soft) and constraints (hard), exactly
  state_year_min, state_year_max     the state's year constraint, exactly (null: none)
  state_prefer_year_min, state_prefer_year_max
                                     the state's preferred period (soft), exactly (null: none)
  items_in_period_min                at least this many items lie in the preferred period
  clarify                            a clarifying question is open and lists these candidates (true: any)
  no_clarify: true                   no clarifying question is open
  reply_contains, reply_not_contains text in the reply (case-insensitive)
  preference_contains                text in the state's preference summary
  same_items: true                   the reply shows exactly the previous reply's items, in order
  older_than_previous: true          every item is older than every item of the previous reply
  why_about                          positions of the previous reply's items that the answer names

Every turn also checks invariants: each item is a catalog item, no item of an earlier reply comes
back (unless the turn is a question about the last reply), and no liked, disliked or seen item is
recommended.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chat.state import SessionState

EXPECTATIONS = {
    "items", "not_items", "items_any", "items_count", "items_min", "genres_any", "genres_all", "genres_none",
    "year_min", "year_max", "liked", "disliked", "seen", "not_liked", "not_disliked", "not_seen", "liked_shown",
    "disliked_shown", "seen_shown", "not_seen_shown", "genres_wanted", "genres_only", "genres_excluded", "state_year_min",
    "state_prefer_year_min", "state_prefer_year_max", "items_in_period_min",
    "state_year_max", "clarify", "no_clarify", "reply_contains", "reply_not_contains", "preference_contains",
    "preference_not_contains",
    "same_items", "why_about", "older_than_previous",
}


@dataclass
class Dialogue:
    id: str
    about: str
    turns: list[dict]
    source: str = ""


@dataclass
class DialogueResult:
    dialogue: Dialogue
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    turns_run: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures


def load_dialogues(path: Path | str) -> list[Dialogue]:
    """Every dialogue in a YAML file, or in every *.yaml file of a folder (sorted by name)."""
    path = Path(path)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise ValueError(f"No *.yaml dialogue files in {path}")
    dialogues: list[Dialogue] = []
    seen_ids: set[str] = set()
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise ValueError(f"{f}: a suite file is a list of dialogues")
        for n, d in enumerate(data, 1):
            where = f"{f.name}, dialogue {n}"
            if not isinstance(d, dict) or not d.get("id") or not isinstance(d.get("turns"), list) or not d["turns"]:
                raise ValueError(f"{where}: needs an 'id' and a non-empty 'turns' list")
            if d["id"] in seen_ids:
                raise ValueError(f"{where}: id '{d['id']}' is used twice")
            seen_ids.add(d["id"])
            for t, turn in enumerate(d["turns"], 1):
                if not isinstance(turn, dict) or not isinstance(turn.get("say"), str):
                    raise ValueError(f"{where}, turn {t}: needs 'say' text")
                expect = turn.get("expect") or {}
                unknown = set(expect) - EXPECTATIONS
                if unknown:
                    raise ValueError(f"{where}, turn {t}: unknown expectation(s) {', '.join(sorted(unknown))}")
                for key, value in expect.items():
                    if not _valid(key, value):
                        raise ValueError(f"{where}, turn {t}: '{key}' has the wrong type ({value!r}); "
                                         "quote titles that contain ': ' or '#'")
            dialogues.append(Dialogue(str(d["id"]), str(d.get("about", "")), d["turns"], f.name))
    return dialogues


_POSITIONS = {"liked_shown", "disliked_shown", "seen_shown", "not_seen_shown", "why_about"}
_NUMBERS = {"items_count", "items_min", "year_min", "year_max", "items_in_period_min"}
_FLAGS = {"no_clarify", "same_items", "older_than_previous"}


def _valid(key: str, value) -> bool:
    if key in _POSITIONS:
        return isinstance(value, list) and all(isinstance(v, int) and v != 0 for v in value)
    if key in _NUMBERS:
        return isinstance(value, int)
    if key in _FLAGS:
        return value is True
    if key in ("state_year_min", "state_year_max", "state_prefer_year_min", "state_prefer_year_max"):
        return value is None or isinstance(value, int)
    if key == "clarify":
        return value is True or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def run_dialogue(recommender, dialogue: Dialogue, k: int = 5) -> DialogueResult:
    """Run the dialogue in a fresh session with template explanations; collect every failed expectation."""
    started = time.perf_counter()
    result = DialogueResult(dialogue)
    state = SessionState()
    catalog = recommender.catalog
    previous: list[dict] = []
    earlier: set[int] = set()
    for t, turn in enumerate(dialogue.turns, 1):
        try:
            message = _fill(turn["say"], previous, catalog)
        except IndexError as err:
            result.failures.append(f"turn {t}: {err}")
            break
        out = recommender.run_turn(state, message, k=k, use_llm=False)
        result.turns_run = t
        problems = check_turn(turn.get("expect") or {}, out, state, previous, earlier, catalog)
        result.failures += [f"turn {t} ({message!r}): {p}" for p in problems]
        if out["items"] and [i["id"] for i in out["items"]] != [i["id"] for i in previous]:
            earlier |= {i["id"] for i in previous}
        if out["items"]:
            previous = out["items"]
    result.seconds = time.perf_counter() - started
    return result


def _fill(text: str, previous: list[dict], catalog) -> str:
    def title(m: re.Match) -> str:
        key = m.group(1)
        index = -1 if key == "last" else int(key) - 1
        if not previous or not -len(previous) <= index < len(previous):
            raise IndexError(f"'{{{key}}}' needs a previous reply with that many items")
        return catalog[previous[index]["id"]].title

    return re.sub(r"\{(last|\d)\}", title, text)


def check_turn(expect: dict, out: dict, state: SessionState, previous: list[dict], earlier: set[int], catalog) -> list[str]:
    problems: list[str] = []
    items = out["items"]
    titles = [i["title"] for i in items]
    reply = out["reply"]
    snap = out["state"]

    def prev_titles(positions) -> list[str]:
        names = []
        for p in positions:
            index = p - 1 if p > 0 else p
            if not previous or not -len(previous) <= index < len(previous):
                problems.append(f"position {p} is not in the previous reply")
                continue
            names.append(previous[index]["title"])
        return names

    # invariants
    for item in items:
        if catalog[item["id"]].display != item["title"]:
            problems.append(f"{item['title']} is not catalog item {item['id']}")
        if not catalog[item["id"]].titled:
            problems.append(f"catalog item {item['id']} has no title and was offered")
    same = [i["id"] for i in items] == [i["id"] for i in previous]
    if not same:
        back = [catalog[i["id"]].display for i in items if i["id"] in earlier | {p["id"] for p in previous}]
        if back:
            problems.append(f"shown before and shown again: {back}")
    marked = set(state.liked) | set(state.disliked) | set(state.seen)
    bad = [i["title"] for i in items if i["id"] in marked and not same]
    if bad:
        problems.append(f"liked, disliked or seen items recommended: {bad}")

    def need(cond: bool, message: str) -> None:
        if not cond:
            problems.append(message)

    e = expect
    for t in e.get("items", []):
        need(t in titles, f"expected {t} among {titles}")
    for t in e.get("not_items", []):
        need(t not in titles, f"{t} must not be among the items")
    if "items_any" in e:
        need(bool(set(e["items_any"]) & set(titles)), f"expected one of {e['items_any']} among {titles}")
    if "items_count" in e:
        need(len(items) == e["items_count"], f"expected {e['items_count']} items, got {len(items)}: {titles}")
    if "items_min" in e:
        need(len(items) >= e["items_min"], f"expected at least {e['items_min']} items, got {len(items)}")
    for item in items:
        g = set(item["genres"])
        if "genres_any" in e:
            need(bool(g & set(e["genres_any"])), f"{item['title']} {sorted(g)} has none of {e['genres_any']}")
        if "genres_all" in e:
            need(set(e["genres_all"]) <= g, f"{item['title']} {sorted(g)} lacks one of {e['genres_all']}")
        if "genres_none" in e:
            need(not g & set(e["genres_none"]), f"{item['title']} {sorted(g)} has one of {e['genres_none']}")
        if "year_min" in e:
            need((item["year"] or 0) >= e["year_min"], f"{item['title']} is older than {e['year_min']}")
        if "year_max" in e:
            need(item["year"] is not None and item["year"] <= e["year_max"], f"{item['title']} is newer than {e['year_max']}")
    for key in ("liked", "disliked", "seen"):
        for t in e.get(key, []):
            need(t in snap[key], f"state.{key} should hold {t}: {snap[key]}")
        for t in e.get(f"not_{key}", []):
            need(t not in snap[key], f"state.{key} must not hold {t}: {snap[key]}")
        for t in prev_titles(e.get(f"{key}_shown", [])):
            need(t in snap[key], f"state.{key} should hold {t} (from the previous reply): {snap[key]}")
    for t in prev_titles(e.get("not_seen_shown", [])):
        need(t not in snap["seen"], f"state.seen must not hold {t}: {snap['seen']}")
    c = snap["constraints"]
    if "genres_wanted" in e:
        need(sorted(e["genres_wanted"]) == c["genres_wanted"], f"genres_wanted {c['genres_wanted']} != {sorted(e['genres_wanted'])}")
    if "genres_excluded" in e:
        need(sorted(e["genres_excluded"]) == c["genres_excluded"],
             f"genres_excluded {c['genres_excluded']} != {sorted(e['genres_excluded'])}")
    if "genres_only" in e:
        need(sorted(e["genres_only"]) == c["genres_only"], f"genres_only {c['genres_only']} != {sorted(e['genres_only'])}")
    if "items_in_period_min" in e:
        lo, hi = c["prefer_year_min"] or 0, c["prefer_year_max"] or 9999
        inside = [item["title"] for item in items if item["year"] and lo <= item["year"] <= hi]
        need(len(inside) >= e["items_in_period_min"], f"only {len(inside)} items in {lo}..{hi}: {inside}")
    for key in ("year_min", "year_max", "prefer_year_min", "prefer_year_max"):
        if f"state_{key}" in e:
            need(c[key] == e[f"state_{key}"], f"state {key} {c[key]} != {e[f'state_{key}']}")
    if "clarify" in e:
        open_q = snap.get("clarifying")
        need(open_q is not None, "expected a clarifying question")
        if open_q is not None and isinstance(e["clarify"], list):
            missing = [t for t in e["clarify"] if t not in open_q["candidates"]]
            need(not missing, f"the question should offer {missing}: {open_q['candidates']}")
            need(all(t in reply for t in e["clarify"]), f"the reply should list {e['clarify']}: {reply!r}")
    if e.get("no_clarify"):
        need("clarifying" not in snap, f"no clarifying question expected: {snap.get('clarifying')}")
    for text in e.get("reply_contains", []):
        need(text.lower() in reply.lower(), f"reply should contain {text!r}: {reply!r}")
    for text in e.get("reply_not_contains", []):
        need(text.lower() not in reply.lower(), f"reply must not contain {text!r}: {reply!r}")
    for text in e.get("preference_contains", []):
        need(text in snap["preference_text"], f"preference text should contain {text!r}: {snap['preference_text']!r}")
    for text in e.get("preference_not_contains", []):
        need(text not in snap["preference_text"].lower(), f"preference text must not contain {text!r}: {snap['preference_text']!r}")
    if e.get("same_items"):
        need(same and bool(items), f"expected the previous items again, got {titles}")
    if e.get("older_than_previous"):
        oldest = min((p["year"] for p in previous if p["year"]), default=None)
        need(oldest is not None and bool(items) and all(i["year"] and i["year"] < oldest for i in items),
             f"expected items older than {oldest}: {titles}")
    if "why_about" in e:
        first_line = reply.split("\n")[0]
        for t in prev_titles(e["why_about"]):
            need(t in first_line, f"the answer should be about {t}: {first_line!r}")
    return problems


def format_table(results: list[DialogueResult]) -> str:
    width = max([len(r.dialogue.id) for r in results] + [8])
    lines = [f"{'dialogue':<{width}}  {'file':<22} turns  result  seconds", "-" * (width + 48)]
    for r in results:
        lines.append(f"{r.dialogue.id:<{width}}  {r.dialogue.source:<22} {r.turns_run:>5}  "
                     f"{'pass' if r.passed else 'FAIL':<6}  {r.seconds:7.2f}")
        for f in r.failures:
            lines.append(f"{'':<{width}}    - {f}")
    passed = sum(r.passed for r in results)
    total_s = sum(r.seconds for r in results)
    lines.append("-" * (width + 48))
    lines.append(f"{passed}/{len(results)} dialogues passed, {sum(r.turns_run for r in results)} turns, {total_s:.1f}s")
    return "\n".join(lines)


def check(recommender, path: Path | str, k: int = 5, out=sys.stdout) -> int:
    """Run every dialogue, print the table, return the exit code (1 on any failure)."""
    results = [run_dialogue(recommender, d, k) for d in load_dialogues(path)]
    print(format_table(results), file=out, flush=True)
    return 0 if all(r.passed for r in results) else 1
