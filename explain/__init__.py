"""Explanations for ranked picks, one subsystem with one entry point: `Explainer`.

    facts (facts.py) -> constrained LLM sentence (decoding_constraints.py) -> claim check (claims.py,
    claim_words.py) -> shown, or the template built from the same facts (explainer.py, prompts/fallback.j2)

The dialogue manager (chat/) hands it the ranked items and the session; it never chooses items.
"""

from __future__ import annotations

__all__ = ["Explainer", "ExplanationEvent"]


def __getattr__(name: str):
    # Lazily: the checker and the facts are imported by evaluations that need neither the CF model nor the LLM.
    if name in __all__:
        from explain import explainer

        return getattr(explainer, name)
    raise AttributeError(f"module 'explain' has no attribute {name!r}")
