"""A local OpenAI-compatible server (/v1/chat/completions) the real `openai` client talks to.

Each test queues how the next answers behave: a good JSON answer, garbage, a refusal, an answer
cut off by length, a slow answer, or an HTTP error such as 429 with Retry-After or 500.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.local_http import JsonHandler, start_local_server, stop_local_server


@dataclass
class Behaviour:
    kind: str = "good"  # good, garbage, refusal, length, slow, status
    content: dict[str, Any] | None = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeOpenAI:
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Behaviour = field(default_factory=Behaviour)
    _queue: list[Behaviour] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                body = json.loads(self.read_body())
                behaviour = fake._next(body)
                if behaviour.delay:
                    time.sleep(behaviour.delay)  # a slow model, as the client sees it
                status, answer = fake._answer(behaviour, body)
                self.reply_json(status, answer, behaviour.headers)

        self.server = start_local_server(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        stop_local_server(self.server)

    def then(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def prompts(self) -> list[str]:
        return [m["content"] for r in self.requests for m in r["messages"]]

    def _next(self, body: dict[str, Any]) -> Behaviour:
        with self._lock:
            self.requests.append(body)
            return self._queue.pop(0) if self._queue else self.default

    def _answer(self, behaviour: Behaviour, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if behaviour.kind == "status":
            return behaviour.status, {"error": {"message": "try again", "type": "server_error"}}
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        if behaviour.kind in ("good", "slow"):
            message["content"] = json.dumps(behaviour.content or _good_answer(body))
        elif behaviour.kind == "garbage":
            message["content"] = "Sure! Here is my analysis: it is probably a tooling thing."
        elif behaviour.kind == "refusal":
            message["refusal"] = "I can't help with that."
        elif behaviour.kind == "length":
            message["content"] = '{"category": "platform_gov'
            finish = "length"
        return 200, {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 321, "completion_tokens": 42, "total_tokens": 363},
        }


def _good_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A sensible answer for whichever task the request's JSON schema names."""
    name = body.get("response_format", {}).get("json_schema", {}).get("name")
    if name == "reviewer_questions":
        return {
            "sme_facts": ["Does the sync fail for every rep, or only on some devices?"],
            "workflow_judgment": ["Should notes be typed on desktop until the fix ships?"],
            "preferences": [],
            "risk": ["Which customer notes were lost already?"],
            "approval": ["Who in IT signs off the fix?"],
        }
    return {
        "category": "platform_governance",
        "training_fit": False,
        "confidence": 0.8,
        "evidence": ["Notes typed on the mobile app don't sync"],
        "test": "They completed the training and still fail: the sync gets in the way.",
    }
