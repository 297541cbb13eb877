"""The Slack app manifest: what an operator pastes into api.slack.com to create the app.

It names exactly what the listeners handle: the DM messages and App Home events, the /triage
command, the "Triage this message" shortcut and interactivity. Without a public URL the manifest
turns Socket Mode on, the quickest way to try the bot.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.channels.slack.channel import MESSAGE_SHORTCUT, SLASH_COMMAND

BOT_SCOPES = ("chat:write", "commands", "im:history", "im:write", "users:read", "usergroups:read")
BOT_EVENTS = ("app_home_opened", "message.im", "app_uninstalled", "tokens_revoked")


def slack_manifest(*, public_url: str | None = None, name: str = "L&D Triage") -> dict[str, Any]:
    base = public_url.rstrip("/") if public_url else None
    events_url = f"{base}/slack/events" if base else None
    command: dict[str, Any] = {
        "command": SLASH_COMMAND,
        "description": "Start an L&D triage in a direct message",
        "usage_hint": "[short title]",
        "should_escape": False,
    }
    if events_url:
        command["url"] = events_url
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if events_url:
        event_subscriptions["request_url"] = events_url
        interactivity["request_url"] = events_url
        oauth["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return {
        "display_information": {
            "name": name,
            "description": "The L&D intake desk: what is failing, before anyone builds a course.",
            "background_color": "#264653",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "triage", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "Triage this message",
                    "type": "message",
                    "callback_id": MESSAGE_SHORTCUT,
                    "description": "Turn this message into an L&D request",
                }
            ],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": events_url is None,
            "token_rotation_enabled": False,
        },
    }


def slack_manifest_yaml(*, public_url: str | None = None) -> str:
    return yaml.safe_dump(
        slack_manifest(public_url=public_url), sort_keys=False, allow_unicode=True
    )
