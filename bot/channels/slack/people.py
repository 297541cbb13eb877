"""Who is talking in Slack: the workspace a payload comes from, and the person's name and time
zone from users.info, cached so that a turn costs no call to Slack.

Without a name the conversation still works, just less personally, so a failed lookup is
logged and the turn goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.errors import slack_error
from bot.messages import PersonRef

log = logging.getLogger(__name__)

PLATFORM = "slack"
PEOPLE_CACHE_SECONDS = 3600
LOOKUP_BEFORE_ACK_SECONDS = 1.0


@dataclass
class _Known:
    name: str
    time_zone: str | None
    fetched: float


class SlackPeople:
    def __init__(self) -> None:
        self._known: dict[tuple[str, str], _Known] = {}

    async def person(
        self,
        client: AsyncWebClient,
        team_id: str,
        user_id: str,
        *,
        look_up: bool = True,
        wait: bool = False,
    ) -> PersonRef:
        """Name and time zone from users.info, cached for an hour (one call per person, not per
        turn). ``look_up=False`` uses only the cache, ``wait=True`` waits on Slack only briefly
        (both for listeners that acknowledge after their turn: Slack allows 3 s in all)."""
        key = (team_id, user_id)
        known = self._known.get(key)
        stale = known is None or time.monotonic() - known.fetched > PEOPLE_CACHE_SECONDS
        if not look_up and known is None:
            known = _Known("", None, 0.0)
        elif stale:
            # A failed look-up is tried again in a minute, not an hour.
            known = _Known("", None, time.monotonic() - PEOPLE_CACHE_SECONDS + 60)
            try:
                lookup = client.users_info(user=user_id)
                response = await (
                    asyncio.wait_for(lookup, LOOKUP_BEFORE_ACK_SECONDS) if wait else lookup
                )
                user = response.get("user") or {}
                profile = user.get("profile") or {}
                name = profile.get("display_name") or user.get("real_name") or user.get("name")
                known = _Known(name or "", user.get("tz"), time.monotonic())
            except SlackApiError as exc:
                log.warning("users.info failed for %s: %s", user_id, slack_error(exc))
            except Exception as exc:  # a timeout or dropped connection: carry on without a name
                log.warning("users.info failed for %s: %r", user_id, exc)
            self._known[key] = known
        assert known is not None
        return PersonRef(
            platform=PLATFORM,
            user_id=user_id,
            workspace_id=team_id,
            display_name=known.name,
            time_zone=known.time_zone,
        )


def team_id_of(body: dict[str, Any]) -> str:
    """The workspace of any payload: events, actions, views, shortcuts and slash commands each
    put it somewhere else (an org-wide install's view names the workspace it was opened in)."""
    team = body.get("team_id") or body.get("team")
    if isinstance(team, dict):
        return str(team.get("id") or "")
    view = body.get("view")
    installed = view.get("app_installed_team_id") if isinstance(view, dict) else None
    user = body.get("user")
    return str(team or installed or (user.get("team_id") if isinstance(user, dict) else None) or "")


def enterprise_id_of(body: dict[str, Any]) -> str | None:
    """The Enterprise Grid org of any payload: events and slash commands name it at the top,
    interactions in ``enterprise`` (or on ``team`` for a workspace-level install)."""
    enterprise = body.get("enterprise")
    team = body.get("team")
    found = (
        body.get("enterprise_id")
        or (enterprise.get("id") if isinstance(enterprise, dict) else None)
        or (team.get("enterprise_id") if isinstance(team, dict) else None)
    )
    return str(found) if found else None


def identity_of(body: dict[str, Any]) -> str:
    """Where a person's Slack id is unique: in an Enterprise Grid org user ids (W…) are
    org-wide, so the same person writing from two of its workspaces, or through an org-wide
    install whose payloads name no workspace, is one person; elsewhere, the workspace."""
    return enterprise_id_of(body) or team_id_of(body)
