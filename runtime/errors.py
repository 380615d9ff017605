"""Errors that end start-up with one line (`error: ...`, exit status 2) instead of a traceback."""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting's value cannot be used. The message names the setting, the bad value and the fix."""


# What start-up turns into `error: <message>`: settings (ValueError, ConfigError), missing or
# unreadable files (OSError) and caches that cannot be written (CacheWriteError, a RuntimeError).
STARTUP_ERRORS = (ValueError, OSError, RuntimeError)


def startup_error_line(err: BaseException) -> str:
    """The one line printed when start-up fails."""
    if isinstance(err, STARTUP_ERRORS):
        return f"error: {err}"
    return f"error: start-up failed ({type(err).__name__}: {err}); run with --verbose to see where"
