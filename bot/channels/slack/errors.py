"""Reading a Slack Web API failure. A 5xx from Slack (or a proxy in front of it) often has a
body that is not JSON; slack_sdk then keeps it as a string, and reading ``error`` from it the
usual way raises, turning a logged failure into a crash of whatever was handling it."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``), or the HTTP status when the body has none."""
    response = exc.response
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status else "no error code"
