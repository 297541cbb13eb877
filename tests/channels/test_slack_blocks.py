"""Block Kit built block by block: cached rows still carry each request's ids, and slack_sdk
still refuses what Slack would."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError

from bot.channels.slack.blocks import turn_payloads
from bot.messages import Button, Outbound


def row(request_id: str) -> Outbound:
    return Outbound(
        "Question 2 of 6",
        buttons=(
            Button("Yes", "choose", f"{request_id}:q:0"),
            Button("No", "choose", f"{request_id}:q:1"),
        ),
    )


def test_two_requests_share_a_row_shape_but_keep_their_own_values() -> None:
    first, second = (turn_payloads([row(r)])[0]["blocks"][-1] for r in ("7", "8"))
    assert [e["value"] for e in first["elements"]] == ["7:q:0", "7:q:1"]
    assert [e["value"] for e in second["elements"]] == ["8:q:0", "8:q:1"]
    assert [e["action_id"] for e in second["elements"]] == ["choose.0", "choose.1"]


def test_a_button_value_past_slacks_limit_is_refused() -> None:
    with pytest.raises(SlackObjectFormationError):
        turn_payloads([row("9" * 2001)])
