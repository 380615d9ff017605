"""How a sentence may write a title: its forms (without article, its main part) and its display split from its year.
Read by the claim checker (explain/claims.py) to mask the titles a sentence may name."""

from __future__ import annotations

import re


def split_display(display: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"(.*?)\s*\((\d{4})\)", display)
    return (m.group(1), int(m.group(2))) if m else (display, None)


def title_forms(title: str) -> list[str]:
    """Ways a sentence may write a title: in full, without its article, its main part before a colon."""
    # "Better Off Dead..." is also written without its dots
    forms = {t for full in {title, title.rstrip(".!?")} if len(full) > 1
             for t in (full, re.sub(r"^(?:the|a|an)\s+", "", full, flags=re.IGNORECASE))}
    main = re.split(r"\s*[:(]\s*", title)[0]
    if len(main) > 3:
        forms |= {main, re.sub(r"^(?:the|a|an)\s+", "", main, flags=re.IGNORECASE)}
    return [f for f in forms if len(f) > 1]


def part_of_title(span: str, facts) -> bool:
    """Whether the span's words appear, in order and together, in the item's or a liked title."""
    words = re.findall(r"[\w']+", span.lower())
    for display in facts.titles():
        title = re.findall(r"[\w']+", split_display(display)[0].lower())
        if any(title[i:i + len(words)] == words for i in range(len(title) - len(words) + 1)):
            return True
    return False
