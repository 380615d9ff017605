"""The worked examples the explainer shows the model before each pick's facts (one per row, alternating).

Each is a conversation turn rendered from facts (prompts/explain_user.j2) and the reply it should lead to.
"""

from __future__ import annotations

# Worked examples shown before the facts (rows alternate between them, so openings vary): each reply
# states only its facts and ties them to the viewer. Their titles cannot be copied: capitals are constrained.
# A person of the facts makes a sentence say something specific (issue 17: "a fact beyond genre and year"), so
# both examples use one; a catalog without people gives the model none to copy (capitals are constrained).
EXAMPLES = [
    ({"title": "Speed", "year": 1994, "genres": ["action", "romance", "thriller"], "neighbour": "Die Hard (1988)",
      "wishes": ["tense"], "wanted": [], "shared": ["action", "thriller"], "period": None,
      "director": "Jan de Bont", "cast": ["Keanu Reeves", "Sandra Bullock"], "asked_person": None, "shared_person": None,
      "premise": None},
     "If you loved Die Hard, Speed is a tense action thriller starring Keanu Reeves."),
    ({"title": "Groundhog Day", "year": 1993, "genres": ["comedy", "romance"], "neighbour": None,
      "wishes": ["feel-good"], "wanted": ["comedy"], "shared": [], "period": None,
      "director": "Harold Ramis", "cast": ["Bill Murray", "Andie MacDowell"], "asked_person": None, "shared_person": None,
      "premise": None},
     "Harold Ramis's Groundhog Day is the feel-good comedy you asked for, starring Bill Murray."),
]
PERSON_EXAMPLE = 1  # the example whose reply opens with a person of the facts
# For a pick whose description gives a premise (explain/premise.py), examples that say what the film is about in
# the words of the facts: the model then writes "If you loved Inception, Shutter Island is a psychological thriller
# about a marshal investigating a psychiatric facility" where it would otherwise list genres. Same facts and row
# order as EXAMPLES; no person opener (the premise is the specific fact).
PREMISE_EXAMPLES = [
    ({**EXAMPLES[0][0], "premise": "a bus that is rigged by a terrorist to explode"},
     "If you loved Die Hard, Speed is a tense action thriller about a bus that is rigged by a terrorist to explode."),
    ({**EXAMPLES[1][0], "premise": "a cynical television weatherman who relives the same day"},
     "For something feel-good, Groundhog Day is a romantic comedy about a cynical weatherman who relives the same day."),
]
