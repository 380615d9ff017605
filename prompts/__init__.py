"""Prompt templates as Jinja files in this folder, rendered strictly (a missing variable is an error)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: resources.files(__package__).joinpath(name).read_text("utf-8")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text for the LLM and for markdown; the UI escapes what it renders
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **variables) -> str:
    """Render `prompts/<name>` with the given variables; whitespace at the ends is stripped."""
    return _environment().get_template(name).render(**variables).strip()
