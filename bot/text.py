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


def one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion, substitution or swap of
    two neighbouring letters (the optimal string alignment distance is 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) != len(b):
        short, long = (a, b) if len(a) < len(b) else (b, a)
        return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    if len(differ) == 1:
        return True
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and (a[differ[0]], a[differ[1]]) == (b[differ[1]], b[differ[0]])
    )
