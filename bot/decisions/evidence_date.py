"""The date an evidence answer names ("below 5 a week by March", "by 2027-03-31", "in 6 weeks").

A follow-up is worth asking only when the requester named a moment; anything vaguer gives None.
A month alone means its last day, a quarter its last day, and a date without a year the next
time that date comes round.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b"),
    re.compile(rf"\b{_MONTH}\s+{_YEAR}\b"),
    # a month alone only after a word that makes it a deadline ("this may help" is no date)
    re.compile(rf"\b(?:by|in|until|till|before|end of|from|after)\s+(?:the\s+)?{_MONTH}\b"),
)
_QUARTER = re.compile(r"\bq(?P<quarter>[1-4])(?:\s*(?P<year>\d{4}))?\b")
_RELATIVE = re.compile(r"\bin\s+(?P<count>\d{1,3})\s+(?P<unit>day|week|month)s?\b")


def named_date(text: str, *, today: date) -> date | None:
    lowered = text.lower()
    relative = _RELATIVE.search(lowered)
    if relative:
        count, unit = int(relative["count"]), relative["unit"]
        if unit == "day":
            return today + timedelta(days=count)
        if unit == "week":
            return today + timedelta(weeks=count)
        return _add_months(today, count)
    quarter = _QUARTER.search(lowered)
    if quarter:
        month = int(quarter["quarter"]) * 3
        return _future(quarter["year"], month, None, today)
    for pattern in _PATTERNS:
        for found in pattern.finditer(lowered):
            groups = found.groupdict()
            month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["month"]]
            try:
                return _future(groups.get("year"), month, groups.get("day"), today)
            except ValueError:  # 31 February, 2027-13-01: not a date after all
                continue
    return None


def _future(year: str | None, month: int, day: str | None, today: date) -> date:
    """The named day; without a year, the next time it comes (this year or next)."""
    chosen_year = int(year) if year else today.year
    last = calendar.monthrange(chosen_year, month)[1]
    moment = date(chosen_year, month, int(day) if day else last)
    if year is None and moment < today:
        last = calendar.monthrange(chosen_year + 1, month)[1]
        moment = date(chosen_year + 1, month, int(day) if day else last)
    return moment


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
