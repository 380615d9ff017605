"""Sections of docs/RESULTS.md that a command writes on its own (``--results``), leaving the rest as it is.

A section runs from its ``## `` heading to the next one. Commands that take minutes of their own
(recorded conversations, load) write their section when they run; the full report keeps them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def section_span(text: str, heading: str) -> tuple[int, int] | None:
    """Where the section starting with ``heading`` begins, and where the next section begins (or the end)."""
    if heading not in text:
        return None
    start = text.index(heading)
    nxt = text.find("\n## ", start + len(heading))
    return start, nxt + 1 if nxt >= 0 else len(text)


def section_of(text: str, heading: str) -> list[str]:
    """The section as lines (empty when there is none)."""
    span = section_span(text, heading)
    return text[span[0]:span[1]].rstrip("\n").split("\n") + [""] if span else []


def write_section(path: Path, heading: str, lines: list[str]) -> None:
    """Put the section in place of the old one (or before the notes), leaving the rest of the file as it is."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Evaluation results\n"
    block = "\n".join(lines)
    span = section_span(text, heading)
    if span:
        start, end = span
        text = text[:start] + block + ("\n" + text[end:] if end < len(text) else "")
    elif "\n## Notes" in text:
        at = text.index("\n## Notes") + 1
        text = text[:at] + block + "\n" + text[at:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def git_commit() -> str:
    """The short commit of the working tree, written beside every measured figure ("unknown" outside git)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
