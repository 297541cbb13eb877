"""Taking personal data out of answers before anything is sent to a model."""

from __future__ import annotations

import re
from collections.abc import Iterable

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d ()./-]{6,}\d(?![\w/])")


class Redactor:
    def __init__(self, *, enabled: bool = True, patterns: Iterable[str] = ()) -> None:
        self.enabled = enabled
        self.patterns = [re.compile(pattern) for pattern in patterns]

    def __call__(self, text: str) -> str:
        if not self.enabled:
            return text
        text = _EMAIL.sub("[email]", text)
        text = _PHONE.sub("[phone]", text)
        for pattern in self.patterns:
            text = pattern.sub("[redacted]", text)
        return text
