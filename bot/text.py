"""Showing user text safely in a terminal: control characters made visible, long text shortened."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters as \\xNN so an answer cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def storable(text: str) -> str:
    """What every database can keep: NUL (PostgreSQL refuses it) and lone surrogates (from
    undecodable bytes) become U+FFFD; everything else is kept exactly as typed."""
    if text.isascii() and "\x00" not in text:
        return text
    return _UNSTORABLE.sub("\ufffd", text)


def shorten(text: str, limit: int) -> str:
    """Display only: storage always keeps the whole text."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all, stored in full)"
