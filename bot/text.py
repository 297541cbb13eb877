"""Showing user text safely in a terminal: control characters made visible, long text shortened."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters as \\xNN so an answer cannot move the cursor or change colours."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def shorten(text: str, limit: int) -> str:
    """Display only: storage always keeps the whole text."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all, stored in full)"
