"""The one rule for text the event log can hold.

Every text that reaches the log (a note, a caller's number, a name in configuration)
must be valid UTF-8 (Python strings can hold lone surrogates, which encode to nothing),
must hold no NUL (PostgreSQL stores none in text, and no keyboard types one) and must
fit its limit in bytes, the unit the databases count in. Each layer words its refusal
its own way; the rule is written once, here.
"""

from __future__ import annotations

MAX_TEXT_BYTES = 64 * 1024


def text_problem(text: str, *, limit: int = MAX_TEXT_BYTES) -> str | None:
    """What stops the log holding ``text`` (a phrase to follow its name), or None."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        return f"is not valid UTF-8 text (at character {exc.start})"
    if size > limit:
        return f"is {size} bytes; the limit is {limit} bytes"
    if "\x00" in text:
        return "contains a NUL character"
    return None
