"""--cores N pins a benchmark to N CPUs (what taskset does), in the benchmark's own process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_cores_pins_the_process_and_torch_threads_and_refuses_more_than_there_are():
    code = ("import os, torch; from evaluation.cores import pin; line = pin(1); "
            "print(len(os.sched_getaffinity(0)), torch.get_num_threads()); print(line)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    counts, line = done.stdout.strip().splitlines()
    assert counts == "1 1" and "taskset -c" in line and "cores: 1 of" in line

    from evaluation.cores import pin

    assert pin(None) is None
    with pytest.raises(ValueError, match=r"--cores 999: .* give a number from 1 to"):
        pin(999)
