"""Cache files and folders written atomically, and set aside when they turn out damaged.

Every cache (ALS model, ChromaDB store, converted LLM) is written under a temporary name
next to its final place and renamed at the end, so a crash or a kill -9 leaves either the
old cache, or none, never half of one. Temporary names carry the writer's process id:

    .als-<fingerprint>.npz.<pid>.<random>.tmp

and are removed by a later writer once that process is gone. A cache that loads wrong is
renamed to `<name>.damaged` (one copy kept, for a look) with one log line naming the file
and the cause, and the caller rebuilds it. A cache that cannot be written at all (no
space, no permission) raises `CacheWriteError`, which names the path and the fix.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger("recs.cache")
STALE_AFTER_S = 24 * 3600  # a temp whose writer's pid was reused by another process goes after a day


class CacheWriteError(RuntimeError):
    """A cache cannot be written or moved (no space, no permission): start-up cannot go on."""


def cache_write_error(path: Path, err: OSError) -> CacheWriteError:
    reason = err.strerror or str(err)
    return CacheWriteError(
        f"cannot write the cache {path} ({reason}): free disk space or make the folder writable, "
        "or set RECS_CACHE_DIR (--cache-dir) to a writable folder"
    )


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError raised while writing the cache at `path` into a CacheWriteError."""
    try:
        yield
    except CacheWriteError:
        raise
    except OSError as err:
        raise cache_write_error(path, err) from err


def make_dir(path: Path) -> Path:
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
    return path


def _temp_prefix(final: Path) -> str:
    return f".{final.name}.{os.getpid()}."


def write_file(final: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file through `write(fileobj)` under a temporary name, then rename it into place."""
    make_dir(final.parent)
    remove_stale_temps(final)
    with writing(final):
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(final), suffix=".tmp", dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())  # the rename must never point at data still in flight
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def build_dir(final: Path, build: Callable[[Path], None]) -> bool:
    """Fill a temporary folder with `build(folder)`, then rename it to `final`.

    Returns False when another process put a folder at `final` first (ours is then dropped
    and theirs is used). `final` must not exist when this is called.
    """
    make_dir(final.parent)
    remove_stale_temps(final)
    with writing(final):
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(final), suffix=".tmp", dir=final.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700
        build(tmp)
        with writing(final):
            try:
                os.rename(tmp, final)
            except OSError:
                if not final.exists():  # not a concurrent writer that won the race
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
                return False
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def set_aside(path: Path, cause: BaseException | str) -> Path:
    """Rename a damaged cache to `<name>.damaged` (replacing an older one) and say so in one log line."""
    target = path.with_name(path.name + ".damaged")
    with writing(path):
        remove(target)
        os.rename(path, target)
    log.warning("cache %s is damaged (%s): moved it to %s and rebuilding it", path, describe(cause), target.name)
    return target


def describe(cause: BaseException | str) -> str:
    """One short line for a log: the error's type and the first line of its message."""
    if isinstance(cause, str):
        return cause
    text = str(cause).strip().splitlines()
    first = text[0] if text else ""
    first = first if len(first) <= 200 else first[:197] + "..."
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def remove(path: Path) -> None:
    """Delete a file or a folder if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def remove_stale_temps(final: Path) -> None:
    """Delete temporaries for `final` left by writers that are gone (killed, crashed)."""
    for tmp in final.parent.glob(f".{final.name}.*.tmp"):
        pid = tmp.name[len(final.name) + 2:].split(".", 1)[0]
        try:
            age = time.time() - tmp.stat().st_mtime
        except OSError:
            continue  # removed meanwhile
        if not (pid.isdigit() and _alive(int(pid))) or age > STALE_AFTER_S:
            try:
                remove(tmp)
            except OSError as err:  # not ours to delete, or gone meanwhile: harmless
                log.debug("could not remove %s: %s", tmp, err)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True
