"""Log output for every process the bot runs: console lines or JSON, never a trace to a chatter."""

from __future__ import annotations

import json
import logging
import sys

from bot.config import Settings


class _JsonFormatter(logging.Formatter):
    """One JSON object per line, traceback included, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _NoTracebackFormatter(logging.Formatter):
    """For the terminal chat, whose stderr is the person typing: errors, never stack traces."""

    def formatException(self, ei: object) -> str:
        return "(details hidden; run with LOG_LEVEL=DEBUG to see them)"


def configure_logging(settings: Settings, *, interactive: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(_JsonFormatter())
    elif interactive and settings.log_level != "DEBUG":
        handler.setFormatter(_NoTracebackFormatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
