import os
import sys

from chat.cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
# Skip interpreter teardown: unloading torch, ChromaDB and their threads takes about 2 s and does
# nothing for a finished command-line run (all output is written and flushed above).
os._exit(code)
