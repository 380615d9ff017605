"""A small catalog spec (TOML or YAML) that names the files, the columns and the item noun.

    # shop/catalog.toml
    name = "shop"
    noun = "product"                 # "movie", "book", "product"; the plural is derived ("nouns" to override)
    example = "I loved the Trailwise Tent, no electronics"   # optional: a first message to show people
    description_source = "the maker"  # optional: who wrote the descriptions; an answer quoting one credits it
    category_label = "category"      # what a category is called: "genre" for movies ("category_labels" for the plural)
    [items]
    file = "products.csv"            # CSV, TSV or JSONL
    id = "sku"
    title = "name"
    categories = "category"          # a list (JSONL) or a string split at "|", ";" or "," (see separators)
    description = "blurb"
    [interactions]
    file = "orders.csv"
    user = "customer"
    item = "sku"
    [category_words]                 # optional: words added to each item's text per category
    Kitchen = "cooking, cookware, baking"
    [category_synonyms]              # optional: words people use for a category
    "cookware" = "Kitchen"
    [ranking]                        # optional: settings tuned for this catalog (RANKING_KEYS)
    als_alpha = 20.0

Columns left out are found by their usual names (see `catalog.generic`). An unknown key is an
error that suggests the closest known one, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields
from pathlib import Path

from catalog.errors import CatalogError, listing

SPEC_SUFFIXES = (".toml", ".yaml", ".yml")
SPEC_NAMES = tuple(f"catalog{s}" for s in SPEC_SUFFIXES)  # looked for inside a RECS_DATA folder


@dataclass
class ItemsSpec:
    file: str | None = None
    id: str | None = None
    title: str | None = None
    year: str | None = None
    date: str | None = None  # a date column to take the year from, when there is no year column
    categories: str | None = None
    tags: str | None = None
    description: str | None = None
    directors: str | None = None  # a list (JSONL) or a string split like categories
    cast: str | None = None
    extra: list[str] | None = None  # columns kept as extra fields; None: every column not used above
    separators: str | None = None  # between categories or tags in one cell; None: any of "|;,"


@dataclass
class InteractionsSpec:
    file: str | None = None
    user: str | None = None
    item: str | None = None
    rating: str | None = None  # or weight: the value of each interaction (default 1)
    weight: str | None = None
    timestamp: str | None = None


# [ranking] keys: what each tunes. Tune them on data the evaluation never sees (python -m evaluation redial-validate).
RANKING_KEYS = {
    "als_alpha": "ALS confidence per interaction (cf.als.ALSConfig.alpha, default 1.0)",
    "full_evidence": "titles at which the CF prior gets its whole share (ranking.ranker.FULL_EVIDENCE, default 3)",
    "context_weight": "weight in the CF fold-in of items seen or named by the other side (default 0: not folded in)",
    "cf_weight": "the CF prior's share in fusion where RECS_CF_WEIGHT is unset (chat.settings, default 0.7)",
    "genre_weight": "score added for the wanted genres (ranking.ranker.GENRE_WEIGHT, default 0.6)",
    "topic_weight": "score added for a wished-for topic (ranking.ranker.TOPIC_WEIGHT, default 0.5)",
}


@dataclass
class CatalogSpec:
    format: str | None = None  # a loader name; None: detected from the files
    folder: str | None = None  # where the files are, relative to the spec; None: the spec's own folder
    name: str | None = None
    noun: str | None = None
    nouns: str | None = None
    category_label: str | None = None
    category_labels: str | None = None
    example: str | None = None  # a first message to show people
    description_source: str | None = None  # who wrote the descriptions ("Wikipedia"): quoted text is credited to it
    category_words: dict[str, str] = field(default_factory=dict)
    category_synonyms: dict[str, str] = field(default_factory=dict)
    ranking: dict[str, float] = field(default_factory=dict)
    items: ItemsSpec = field(default_factory=ItemsSpec)
    interactions: InteractionsSpec = field(default_factory=InteractionsSpec)
    path: Path | None = None  # the spec file itself (None: a folder read without one)

    def data_folder(self, default: Path) -> Path:
        if self.folder is None:
            return default
        folder = Path(self.folder).expanduser()
        return folder if folder.is_absolute() else (self.path.parent if self.path else default) / folder

    def apply(self, catalog):
        """The catalog with what the spec says about it (noun, label, words, synonyms, name) put on top."""
        for name in ("name", "noun", "category_label", "example", "description_source"):
            if getattr(self, name):
                setattr(catalog, name, getattr(self, name))
        from catalog.model import plural

        if self.noun or self.nouns:
            catalog.nouns = self.nouns or plural(catalog.noun)
        if self.category_label or self.category_labels:
            catalog.category_labels = self.category_labels or plural(catalog.category_label)
        if self.ranking:
            catalog.ranking = {**catalog.ranking, **self.ranking}
        if self.category_words:
            catalog.category_words = {**catalog.category_words, **self.category_words}
        if self.category_synonyms:
            known = set(catalog.genres)
            unknown = sorted({c for c in self.category_synonyms.values() if c not in known})
            if unknown:
                raise CatalogError(self.path or "catalog spec", f"[category_synonyms] points at {listing(unknown)}, "
                                                               f"which no item has; the categories are {listing(catalog.genres)}.",
                                   "map each word to one of the catalog's categories")
            catalog.category_synonyms = {**catalog.category_synonyms, **self.category_synonyms}
        return catalog


def read_spec(path: Path) -> CatalogSpec:
    """Parse and check a TOML or YAML catalog spec."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            raw = tomllib.loads(text)
        else:
            import yaml

            raw = yaml.safe_load(text) or {}
    except Exception as err:  # tomllib.TOMLDecodeError, yaml.YAMLError: both say where
        raise CatalogError(path, f"is not valid {path.suffix[1:].upper()}: {err}.", "fix the syntax at the place named") from None
    if not isinstance(raw, dict):
        raise CatalogError(path, f"must be a table of keys; found a {type(raw).__name__}.", "see README 'Your own catalog'")
    spec = CatalogSpec(path=path)
    _fill(path, spec, raw, "", skip={"path"})
    return spec


def _fill(path: Path, target, raw: dict, section: str, skip: set[str] = frozenset()) -> None:
    known = {f.name: f for f in fields(target) if f.name not in skip}
    where = f"[{section}] " if section else ""
    for key, value in raw.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            raise CatalogError(path, f"{where}has an unknown key '{key}'; known keys: {listing(known, 20)}.",
                               f"did you mean '{close[0]}'? Rename the key." if close else "remove or rename the key")
        current = getattr(target, key)
        if isinstance(current, (ItemsSpec, InteractionsSpec)):
            if not isinstance(value, dict):
                raise CatalogError(path, f"'{key}' must be a table of keys (file, columns); found {value!r}.",
                                   f"write it as [{key}] with keys such as file = \"...\"")
            _fill(path, current, value, key)
        elif key in ("category_words", "category_synonyms"):
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise CatalogError(path, f"[{key}] must map names to text; found {value!r}.",
                                   f"write lines such as \"Kitchen\" = \"cooking, cookware\" under [{key}]")
            setattr(target, key, {str(k): v for k, v in value.items()})
        elif key == "ranking":
            bad = {k: v for k, v in value.items() if k not in RANKING_KEYS or isinstance(v, bool)
                   or not isinstance(v, (int, float)) or v <= 0} if isinstance(value, dict) else value
            if bad or not isinstance(value, dict):
                raise CatalogError(path, f"[ranking] takes positive numbers for {listing(RANKING_KEYS)}; found {bad!r}.",
                                   "write lines such as als_alpha = 20.0 under [ranking], or remove the section")
            setattr(target, key, {str(k): float(v) for k, v in value.items()})
        elif key == "extra":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CatalogError(path, f"{where}'extra' must be a list of column names; found {value!r}.",
                                   'write extra = ["brand", "price"]')
            setattr(target, key, value)
        elif not isinstance(value, str) or not value.strip():
            raise CatalogError(path, f"{where}'{key}' must be a non-empty text; found {value!r}.",
                               f"write {key} = \"...\" (a column name, file name or word in quotes)")
        else:
            setattr(target, key, value.strip() if key != "separators" else value)
