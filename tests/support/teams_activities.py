"""Bot Framework activities as Teams sends them to /api/messages."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

TENANT = "tenant-0001"
BOT = {"id": "28:bot-app-id", "name": "Triage"}
_ids = itertools.count(1)


def person(name: str) -> dict[str, Any]:
    return {"id": f"29:{name.lower()}", "name": name, "aadObjectId": f"aad-{name.lower()}"}


def _base(kind: str, service_url: str, who: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"act-{next(_ids)}",
        "timestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": who,
        "recipient": BOT,
        "conversation": {
            "id": f"a:personal-{who['id']}",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        **extra,
    }


def message(service_url: str, who: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    return _base("message", service_url, who, text=text, **extra)


def submit(
    service_url: str, who: dict[str, Any], data: dict[str, Any], reply_to: str
) -> dict[str, Any]:
    return _base("message", service_url, who, value=data, replyToId=reply_to)


def invoke(
    service_url: str, who: dict[str, Any], data: dict[str, Any], reply_to: str = "activity-1"
) -> dict[str, Any]:
    value = {
        "action": {"type": "Action.Execute", "verb": data.get("triage_action"), "data": data},
        "trigger": "manual",
    }
    return _base(
        "invoke", service_url, who, name="adaptiveCard/action", value=value, replyToId=reply_to
    )


def installed(service_url: str, who: dict[str, Any]) -> dict[str, Any]:
    return _base("conversationUpdate", service_url, who, membersAdded=[who, BOT])


def post_activity(
    base_url: str, activity: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(
        base_url + "/api/messages",
        data=json.dumps(activity).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
