"""The one error type of the catalog loaders: it names the file, the column and the fix."""

from __future__ import annotations

from pathlib import Path


class CatalogError(ValueError):
    """A catalog file that cannot be read as asked. The message says where, what was expected, what was found."""

    def __init__(self, path: Path | str, problem: str, fix: str = ""):
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}" + (f" Fix: {fix}" if fix else ""))


class CatalogNotFound(CatalogError, FileNotFoundError):
    """A folder that holds no catalog in any known format (a FileNotFoundError too, as a missing folder is)."""


def listing(names, limit: int = 12) -> str:
    """'a, b, c' (the first `limit`, then how many more), or '(none)'."""
    names = [str(n) for n in names]
    if not names:
        return "(none)"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
