"""A direct transformers path for the common sentence-transformer shape: Transformer, mean Pooling, Normalize.

Importing sentence-transformers costs about 5 s on 2 cores (it imports scikit-learn and scipy.stats),
a third of a command-line turn's budget, while the model it runs here is a BERT encoder followed by
a masked mean. For a folder whose modules.json has exactly that shape this module encodes with
transformers alone; the results match sentence-transformers (tests/test_embedder.py checks it), and
every other model keeps going through sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from runtime.model_loading import MODEL_LOADING_LOCK

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def mean_pooling_layout(folder: str | Path) -> dict | None:
    """{"max_seq_length", "normalize"} when the folder is Transformer + mean Pooling (+ Normalize), else None."""
    folder = Path(folder)
    try:
        modules = json.loads((folder / "modules.json").read_text())
        kinds = [m["type"] for m in modules]
        if kinds not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]) or modules[0]["path"]:
            return None
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
        bert = json.loads((folder / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if modes != {"pooling_mode_mean_tokens"} or bert.get("do_lower_case"):
        return None
    return {"max_seq_length": int(bert.get("max_seq_length") or 512), "normalize": len(kinds) == 3}


class MeanPoolingEncoder:
    """Texts -> float32 vectors, as SentenceTransformer.encode would give them for this layout."""

    def __init__(self, folder: str | Path, max_seq_length: int, normalize: bool, device: str | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.max_seq_length, self.normalize = max_seq_length, normalize
        with MODEL_LOADING_LOCK:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            self.model = AutoModel.from_pretrained(str(folder), local_files_only=True).to(self.device).eval()

    def encode(self, texts: list[str], batch_size: int = 64, show_progress_bar: bool = False) -> np.ndarray:
        import torch

        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="Embedding", disable=not show_progress_bar, leave=False):
            rows = order[start:start + batch_size]
            enc = self.tokenizer([str(texts[i]).strip() for i in rows],  # strip: as sentence-transformers does
                                 padding=True, truncation=True,
                                 max_length=self.max_seq_length, return_tensors="pt").to(self.device)
            with torch.inference_mode():
                tokens = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                vectors = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                if self.normalize:
                    vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
            out[rows] = vectors.float().cpu().numpy()
        return out
