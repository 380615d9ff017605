"""GPU path check: the LLM loader (accelerate device_map="auto", bfloat16 on CUDA) and batched generation.

    python -m evaluation.gpu_path FOLDER [--random-weights]

FOLDER is a model folder (the converted SmolLM2 under ~/.cache/convrec/llm/ on a machine that ran the chat).
With --random-weights only its config and tokenizer are used and the weights are seeded random: the
loading, placement, dtype, batching and timing are the real code, the text is noise, the speed is the
architecture's (for a GPU machine the real weights cannot be copied to). Prints one JSON object.
"""
import json, pathlib, shutil, statistics, sys, tempfile, time

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

from llm.transformers_backend import TransformersLLM

folder = pathlib.Path(sys.argv[1])
if "--random-weights" in sys.argv:
    dst = pathlib.Path(tempfile.mkdtemp()) / "model"
    shutil.copytree(folder, dst, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(dst), dtype=torch.bfloat16).save_pretrained(dst)
    folder = dst

out = {"torch": torch.__version__, "transformers": transformers.__version__,
       "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
llm = TransformersLLM(str(folder), pathlib.Path(tempfile.mkdtemp()), max_new_tokens=40)
t = time.perf_counter(); llm.load(); out["load_s"] = round(time.perf_counter() - t, 2)
out["describe"] = llm.describe()
def conv(i):
    return [{"role": "system", "content": "You write one short sentence about why a movie fits a person."},
            {"role": "user", "content": f"Movie {i}: Alien (1979), Sci-Fi and Horror. The user liked Aliens (1986) and wants something tense."}]
for batch in (1, 5, 32):
    convs = [conv(i) for i in range(batch)]
    llm.generate(convs, max_new_tokens=40)  # warm-up
    times = []
    for _ in range(3):
        sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
        sync(); t = time.perf_counter()
        texts = llm.generate(convs, max_new_tokens=40)
        sync(); times.append(time.perf_counter() - t)
    stats = getattr(llm, "last_stats", None)
    out[f"batch{batch}"] = {"median_s": round(statistics.median(times), 3), "runs_s": [round(x, 3) for x in times],
                            "stats": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in (stats or {}).items()} if isinstance(stats, dict) else str(stats),
                            "chars_first": len(texts[0])}
if torch.cuda.is_available():
    out["max_memory_allocated_MiB"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
print(json.dumps(out, indent=1))
