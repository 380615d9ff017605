"""Servers the tests start themselves on loopback: wait until one answers, stop it afterwards."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest


def wait_until_answers(proc: subprocess.Popen, probe: str, log: Path, limit_s: float, name: str) -> None:
    """Poll ``probe`` until it answers 200; fail with the server's log if it exits or never answers."""
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(probe, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{name} did not answer at {probe} within {limit_s} s: {log.read_text(errors='replace')[-2000:]}")


def stop(proc: subprocess.Popen, grace_s: float = 15) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
