"""Block Kit built block by block: cached rows still carry each request's ids, what a caller
does to its blocks never reaches the cache, and slack_sdk still refuses what Slack would."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError

from bot.channels.slack.blocks import turn_payloads
from bot.messages import Button, Outbound, Summary, SummaryItem


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


def test_changing_a_rendered_block_deep_inside_leaves_the_next_render_alone() -> None:
    answer = SummaryItem(1, "failing_task", "What is failing?", "CRM quotes")
    message = Outbound(
        "Here is your request",
        buttons=row("7").buttons,
        summary=Summary(7, "LD-0007", (answer,)),
        progress="Question 2 of 6",
        hint="Type an answer, or use a button",
    )
    first = turn_payloads([message])
    expected = copy.deepcopy(first)

    def spoil(node: Any) -> None:
        """Change every dict and list in the payload, at every depth."""
        if isinstance(node, dict):
            for value in node.values():
                spoil(value)
            node["type"] = "spoiled"
        elif isinstance(node, list):
            for item in node:
                spoil(item)
            node.append({"type": "spoiled"})

    spoil(first)
    assert turn_payloads([message]) == expected
