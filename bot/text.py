"""User text: what of it is stored, and showing it safely in a terminal (control characters
made visible, long text shortened)."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\ud800-\udfff]")
_TYPED_BY_ACCIDENT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls and DEL, which no one means to keep (Ctrl-L, a stray ESC): tab, newline and
carriage return are text."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters as \\xNN so an answer cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def storable(text: str) -> str:
    """What is stored (and so exported) of what someone typed: control characters typed by
    accident are dropped (NUL among them, which PostgreSQL refuses), lone surrogates (from
    undecodable bytes) become U+FFFD, and everything else is kept exactly as typed: emoji,
    markup such as <!channel>, tabs and line breaks."""
    if text.isprintable():
        return text
    return _UNSTORABLE.sub("\ufffd", _TYPED_BY_ACCIDENT.sub("", text))


def shorten(text: str, limit: int) -> str:
    """Display only: storage always keeps the whole text."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all, stored in full)"
