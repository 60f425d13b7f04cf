"""Regular expressions over untrusted page text, on an engine whose time is linear in the text.

Python's `re` backtracks: a pattern such as `views\\s*(?:count)?\\s*:?\\s*\\d` meeting "views"
and a thousand newlines tries every way to share the newlines among the three `\\s*`, and holds
the GIL meanwhile, so every thread of the worker stalls with it. RE2 never backtracks. Its
price: no look-around and no back-references, and `\\b`, `\\d`, `\\s` and `\\w` are ASCII.
"""

import re2


class PatternError(ValueError):
    """The pattern is not one RE2 accepts; the message says why, for the curator."""


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a curator's typo is a validation message, not a log line


def compile_linear(pattern: str):
    """Compile for RE2 (`sub`, `search` as in `re`); raises PatternError."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        raise PatternError(_reason(exc)) from None


def _reason(exc: Exception) -> str:
    message = exc.args[0] if exc.args else str(exc)
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    if "invalid perl operator" in message or "invalid escape sequence" in message:
        message += " (look-around and back-references are not supported)"
    return message
