"""Text from outside (UI, API, CLI arguments, JSON files) made safe once, where it comes in.

`clean_text` returns a string that always encodes to UTF-8 and JSON, shows as what the
user meant, and carries nothing invisible that could change how it reads:

* a valid surrogate pair is joined into its character; a lone surrogate (JSON's "\\ud800",
  or a byte that was not UTF-8 in a command-line argument) is dropped;
* terminal escape sequences ("\\x1b[31m") and control characters (NUL included) are dropped,
  except tab and newline; other line and paragraph separators become a newline;
* bidirectional controls (RTL/LTR marks, embeddings, overrides, isolates), zero-width spaces,
  word joiners and the byte order mark are dropped: they can make a text read in another order
  than it is stored ("Trojan Source"). Joiners (U+200C/U+200D) stay: scripts and emoji need them;
* the result is in Unicode normal form NFC, so "é" typed as e + accent is the "é" of a title.
"""

from __future__ import annotations

import re
import unicodedata

_ANSI_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_INVISIBLE = (
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffa\ufffb"
)
_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TABLE = {ord(ch): None for ch in _INVISIBLE} | {ord(ch): "\n" for ch in _LINE_BREAKS} | {ord("\r"): "\n"}
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x84\x86-\x9f]")  # \x1b is handled with escapes


def clean_text(value: object) -> str:
    """Any value from outside -> a safe str ('' for None, str() of anything else that is not a str)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text  # the common case, unchanged
    # Join surrogate pairs, drop lone surrogates.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    text = text.replace("\r\n", "\n")
    text = _ANSI_ESCAPE.sub("", text)
    text = text.translate(_TABLE)
    text = _CONTROLS.sub("", text.replace("\x1b", ""))
    return unicodedata.normalize("NFC", text)
