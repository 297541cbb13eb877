"""A few counters in Prometheus text format; enough to see traffic, errors and turn latency."""

from __future__ import annotations

import threading
from collections import Counter


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.turns = 0
        self.turn_seconds = 0.0

    def count_request(self, route: str, status: int) -> None:
        with self._lock:
            self.requests[(route, status)] += 1

    def observe_turn(self, seconds: float) -> None:
        with self._lock:
            self.turns += 1
            self.turn_seconds += seconds

    def render(self, *, database_up: bool) -> str:
        with self._lock:
            lines = [
                "# HELP triage_http_requests_total HTTP requests by route and status.",
                "# TYPE triage_http_requests_total counter",
                *(
                    f'triage_http_requests_total{{route="{route}",status="{status}"}} {count}'
                    for (route, status), count in sorted(self.requests.items())
                ),
                "# HELP triage_turns_total Conversation turns handled by the engine.",
                "# TYPE triage_turns_total counter",
                f"triage_turns_total {self.turns}",
                "# HELP triage_turn_seconds_total Time spent in engine turns.",
                "# TYPE triage_turn_seconds_total counter",
                f"triage_turn_seconds_total {self.turn_seconds:.6f}",
                "# HELP triage_database_up Whether the database answered the last health check.",
                "# TYPE triage_database_up gauge",
                f"triage_database_up {int(database_up)}",
            ]
        return "\n".join(lines) + "\n"
