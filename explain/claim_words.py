"""The words the claim checker reads as claims, and what in the catalog supports each.

Kept apart from the checker so that the decoding constraints (`explain/decoding_constraints.py`)
forbid exactly the words the checker would reject: one vocabulary, two uses.

Words are lower case; a pattern matches whole words (`\\b` on both sides) and may contain
regular-expression parts ("comed(?:y|ies|ic)"). `ban_forms` turns a pattern into the plain
words a decoder can forbid.
"""

from __future__ import annotations

import re

_NON_FAMILY = ("Action", "Crime", "Drama", "Film-Noir", "Horror", "Mystery", "Thriller", "War", "Western")
_LIGHT = ("Comedy", "Children's", "Animation", "Musical", "Romance")
_TENSE = ("Thriller", "Horror", "Crime", "Mystery", "War", "Action", "Film-Noir")

# word pattern -> the genres that make the word true of an item. A word here describes what the
# movie is; an item that has none of its genres does not support it ("a romantic comedy" about Fargo).
GENRE_CLAIMS: dict[str, tuple[str, ...]] = {
    "action": ("Action",), "action-packed": ("Action",),
    "adventures?": ("Adventure",), "adventurous": ("Adventure",), "quests?": ("Adventure", "Fantasy"),
    "animated": ("Animation",), "animation": ("Animation",), "cartoons?": ("Animation",),
    "children's": ("Children's",), "children": ("Children's",), "kids": ("Children's", "Animation"),
    "family-friendly": ("Children's", "Animation"),
    "family[- ](?:film|films|movie|movies|comedy|comedies|fun|favou?rite|entertainment|classic|adventure|drama)": ("Children's", "Animation"), "whole family": ("Children's", "Animation"),
    "comed(?:y|ies|ic)": ("Comedy",), "funny": ("Comedy",), "hilarious": ("Comedy",),
    "humou?r(?:ous)?": ("Comedy",), "laugh(?:s|ter)?": ("Comedy",), "laugh-out-loud": ("Comedy",),
    "witty": ("Comedy",),
    "crimes?": ("Crime", "Film-Noir"), "criminals?": ("Crime", "Film-Noir"), "gangsters?": ("Crime",), "mafia": ("Crime",),
    "mob": ("Crime",), "heists?": ("Crime",), "detectives?": ("Crime", "Mystery", "Film-Noir"),
    "documentar(?:y|ies)": ("Documentary",),
    "dramas?": ("Drama",), "dramatic": ("Drama",),
    "fantasy": ("Fantasy",), "magic(?:al)?": ("Fantasy",), "supernatural": ("Fantasy", "Horror"), "fairy[- ]tale": ("Fantasy", "Children's"),
    "(?:film[- ])?noir": ("Film-Noir",),
    "horror": ("Horror",), "scary": ("Horror", "Thriller"), "terrifying": ("Horror", "Thriller"),
    "frightening": ("Horror", "Thriller"), "creepy": ("Horror", "Thriller", "Mystery"),
    "spooky": ("Horror",), "gory": ("Horror",), "slashers?": ("Horror",), "chilling": ("Horror", "Thriller"),
    "musicals?": ("Musical",), "songs?": ("Musical", "Animation"), "singing": ("Musical",),
    "dancing": ("Musical",),
    "myster(?:y|ies)": ("Mystery",), "mysterious": ("Mystery", "Thriller", "Film-Noir"), "whodunit": ("Mystery",),
    "romance": ("Romance",), "romantic": ("Romance",), "love stor(?:y|ies)": ("Romance",),
    "rom-?com": ("Romance",),
    "sci-?fi": ("Sci-Fi",), "science[- ]fiction": ("Sci-Fi",), "futuristic": ("Sci-Fi",),
    "space": ("Sci-Fi",), "outer space": ("Sci-Fi",), "aliens?": ("Sci-Fi",), "robots?": ("Sci-Fi",), "technolog(?:y|ical)": ("Sci-Fi",),
    "thrillers?": ("Thriller",), "suspense(?:ful)?": ("Thriller", "Mystery", "Horror"),
    "war": ("War",), "wartime": ("War",), "battles?": ("War", "Action"), "soldiers?": ("War",),
    "westerns?": ("Western",), "cowboys?": ("Western",), "frontier": ("Western",),
    # what watching it feels like, true of some genres only
    "tense": _TENSE, "gripping": _TENSE, "nail-biting": _TENSE, "edge of your seat": _TENSE,
    "thrilling": _TENSE + ("Adventure", "Sci-Fi", "Western"), "exciting": _TENSE + ("Adventure", "Sci-Fi", "Western"),
    "heart-?warming": _LIGHT + ("Drama",), "feel-good": _LIGHT, "uplifting": _LIGHT + ("Drama",),
    "light-?hearted": _LIGHT, "charming": _LIGHT + ("Drama",), "whimsical": _LIGHT + ("Fantasy",),
    "dark": _NON_FAMILY + ("Sci-Fi",), "gritty": _NON_FAMILY, "bleak": _NON_FAMILY,
    "violent": ("Action", "Crime", "Horror", "Thriller", "War", "Western"),
    "moving": ("Drama", "Romance", "War", "Documentary"), "touching": ("Drama", "Romance", "Children's", "Animation"),
    "emotional": ("Drama", "Romance", "War"), "tear-?jerker": ("Drama", "Romance"),
    "epic": ("Adventure", "War", "Fantasy", "Western", "Sci-Fi", "Action", "Drama"),
    # kinds of movie no catalog genre here says: never supported
    "superhero(?:es)?": (), "anime": (), "biographical": (), "historical": (), "sports": (),
}

# A recognised wish -> the words that refer to it in a sentence (for "personalised").
WISH_WORDS: dict[str, tuple[str, ...]] = {
    "tense": ("tense", "tension", "suspense(?:ful)?", "gripping", "nail-biting", "edge of your seat", "thrilling", "thrills?"),
    "funny": ("funny", "laugh(?:s|ter)?", "hilarious", "comed(?:y|ies|ic)", "humou?r(?:ous)?", "witty"),
    "feel-good": ("feel-good", "heart-?warming", "uplifting", "charming", "light-?hearted", "cheerful"),
    "for kids": ("kids", "children", "family", "family-friendly", "whole family", "young"),
    "scary": ("scary", "frightening", "terrifying", "creepy", "spooky", "chilling", "horror", "scares?"),
    "romantic": ("romantic", "romance", "love stor(?:y|ies)"),
    "dark": ("dark", "gritty", "bleak", "grim"),
    "sad": ("sad", "moving", "touching", "emotional", "tear-?jerker", "heart-?felt"),
    "relaxing": ("relaxing", "easy", "light", "light-?hearted", "breezy", "cozy", "cosy"),
    "violent": ("violent", "violence", "gory", "brutal", "bloody"),
    "action-packed": ("action-packed", "action", "explosive", "adrenaline", "fast-paced"),
    "fun": ("fun", "entertaining", "enjoyable"),
    "music": ("music", "musical", "songs?", "singing", "dancing"),
    "epic": ("epic", "grand", "sweeping"),
    "mind-bending": ("mind-bending", "twists?", "puzzl(?:e|ing)", "thought-provoking"),
    "classic": ("classic", "timeless"),
}

# A recognised wish -> the genres of items it is true of (None: true of any item, e.g. "classic" is
# judged by the year instead). A wish not listed (a topic such as "time travel", a taste such as "smart")
# cannot be judged from genres, so it is never stated as a fact of an item.
WISH_GENRES: dict[str, tuple[str, ...] | None] = {
    "tense": _TENSE, "funny": ("Comedy",), "feel-good": _LIGHT, "for kids": ("Children's", "Animation"),
    "scary": ("Horror", "Thriller"), "romantic": ("Romance",), "dark": _NON_FAMILY, "relaxing": _LIGHT,
    "sad": ("Drama", "Romance", "War"), "violent": ("Action", "Crime", "Horror", "Thriller", "War", "Western"),
    "action-packed": ("Action",), "fun": _LIGHT + ("Adventure",), "music": ("Musical",),
    "epic": ("Adventure", "War", "Fantasy", "Western", "Sci-Fi", "Action", "Drama"),
    "mind-bending": ("Sci-Fi", "Mystery", "Thriller"), "classic": None,
}
# Words that state a mood of the movie, unambiguously (not "light", "easy", "moving": those have other
# senses), and the wish whose genres make each true. A mood is stated only when the item's genres (or,
# for "classic", its year) support it and the user did not ask for its opposite ("a feel-good western"
# to someone who wants something tense).
MOOD_CLAIMS: dict[str, str] = {
    "feel-good": "feel-good", "heart-?warming": "feel-good", "uplifting": "feel-good", "cheerful": "feel-good",
    "light-?hearted": "feel-good", "tense": "tense", "suspenseful": "tense", "gripping": "tense",
    "nail-biting": "tense", "scary": "scary", "frightening": "scary", "terrifying": "scary", "creepy": "scary",
    "spooky": "scary", "gritty": "dark", "bleak": "dark", "grim": "dark", "sad": "sad", "tear-?jerker": "sad",
    "feel-bad": "sad", "hilarious": "funny", "funny": "funny", "witty": "funny", "relaxing": "relaxing", "breezy": "relaxing",
    "cozy": "relaxing", "cosy": "relaxing", "violent": "violent", "gory": "violent", "brutal": "violent",
    "bloody": "violent", "explosive": "action-packed", "fast-paced": "action-packed", "epic": "epic",
    "sweeping": "epic", "mind-bending": "mind-bending", "thought-provoking": "mind-bending",
    "classic": "classic", "timeless": "classic",
}
# Wishes that contradict each other: a mood of one is not stated to a user who asked for the other.
_OPPOSITES = [("tense", "relaxing"), ("tense", "feel-good"), ("scary", "feel-good"), ("scary", "relaxing"),
              ("scary", "for kids"), ("dark", "feel-good"), ("dark", "relaxing"), ("dark", "fun"), ("dark", "for kids"),
              ("sad", "funny"), ("sad", "feel-good"), ("violent", "for kids"), ("violent", "relaxing"),
              ("violent", "feel-good"), ("action-packed", "relaxing")]
OPPOSITE_WISHES: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    OPPOSITE_WISHES.setdefault(_a, set()).add(_b)
    OPPOSITE_WISHES.setdefault(_b, set()).add(_a)

# How a wish reads after "something" in a sentence; the label itself when not listed.
WISH_PHRASES = {"music": "with music", "for kids": "for kids"}
CLASSIC_BEFORE = 1980  # "classic" is a fact of the year: made before this

# Claims that nothing in the catalog can support: label -> pattern.
UNSUPPORTED_CLAIMS: dict[str, str] = {
    "award": r"awards?|award-winning|oscars?|nominat(?:ed|ion|ions)|golden globes?|won|wins|winner|prize",
    "critics": r"acclaim(?:ed)?|critics?|critically|rave reviews?|praised|praise|regarded|hailed|masterpieces?|cult",
    "adaptation": r"adapt(?:s|ed|ing|ation|ations)?|based on|novels?|books?|comics?|stage play|true stor(?:y|ies)|real events|real-life|biopic|inspired(?: by)?|literature|literary|made into|video games?|tv shows?|television",
    "remake or sequel": r"remakes?|remade|reimagin(?:ed|ing|ings)|reboot|sequels?|prequels?|follow-up|franchise|trilogy|series|installment|instalment|spin-off",
    "box office": r"box[- ]office|blockbusters?|grossing|budget|millions|billions",
    # "direction" and "cast" are supported when the item's facts name its directors or cast (PEOPLE_CLAIMS)
    "direction": r"directed|directs|director|directorial|filmmakers?",
    "cast": r"stars|starred|starring|co-stars?|cast|actors?|actress(?:es)?|played by|features|featuring",
    "cast and crew": r"performances?|screenplay|written by|script|produced|producer|studio|developers?|team of",
    "plot": r"(?:film|movie|story|documentary|comedy|drama|tale|thriller|narrative|it|is|one)\s+about\s+\w+|"
            r"tells the story|story of|tale of|follows (?:a|an|the|two|his|her)|cent(?:er|re)s? on|plot|protagonists?|"
            r"characters?|heroine|villains?|set in|set during|takes place",
    "craft": r"soundtrack|score|cinematography|special effects|visual effects|visuals|visually|cgi",
}

# Claim labels above that a fact can support: label -> the Facts field that must be non-empty.
PEOPLE_CLAIMS = {"direction": "directors", "cast": "cast"}

NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "dozen", "twenty", "thirty", "forty", "fifty", "hundred", "hundreds", "thousand", "thousands",
                "million", "billion")

# decade words -> the first year of the decade
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990}


_EXPANDABLE = re.compile(r"\(\?:([^()]*)\)(\?)?|\[([^\]]*)\](\?)?|(\w|-)\?")


def ban_forms(pattern: str) -> list[str]:
    """Plain words a pattern matches, for a decoder to forbid: "comed(?:y|ies|ic)" -> comedic, comedies, comedy.

    Expands the simple shapes used above: `x?`, `(?:a|b)`, `(?:a|b)?`, `[- ]`, `[- ]?`; alternatives at
    the top level (`a|b`) are split; an alternative with any other pattern part (`\\s`, `\\w*`) is left out.
    """
    forms: list[str] = []
    for alternative in _top_level_alternatives(pattern):
        if "\\" in alternative:
            continue
        forms += _expand(alternative)
    # "feel- good": a model that may not write "feel-good" writes the hyphen and a spaced word (seen in a run)
    forms += [f.replace("-", "- ") for f in forms if "-" in f]
    return sorted(set(forms))


def _expand(pattern: str) -> list[str]:
    m = _EXPANDABLE.search(pattern)
    if not m:
        return [pattern]
    if m.group(1) is not None:
        options = m.group(1).split("|") + ([""] if m.group(2) else [])
    elif m.group(3) is not None:
        options = list(m.group(3)) + ([""] if m.group(4) else [])
    else:
        options = [m.group(5), ""]
    return [form for option in options for form in _expand(pattern[:m.start()] + option + pattern[m.end():])]


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in pattern:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def non_words(text: str, allowed: set[str]) -> list[str]:
    """Words of `text` that no English word list has and `allowed` (the facts' own words) lacks.

    SmolLM2 sometimes drifts into another language or coins a word ("Cinco de las mujores, ...",
    "a mindbending comedy"): nothing a reader can trust. Titles and names are masked before this
    runs, and the facts' words (subjects, description, wishes) are allowed whatever their frequency.
    """
    from wordfreq import zipf_frequency

    words = dict.fromkeys(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text))
    return [w for w in words if w not in allowed and zipf_frequency(w, "en") == 0]
