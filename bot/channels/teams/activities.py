"""Reading a Bot Framework activity: who sent it, and where to reach them later.

Both the message side (bot.py) and the card actions (card_actions.py) need these, and sending
later (sending.py) relies on the reference kept here at every turn.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount

from bot.messages import PersonRef

PLATFORM = "teams"


def person_of(activity: Activity, member: ChannelAccount | None = None) -> PersonRef:
    """Teams identity: the AAD object id within the tenant (the same person in every chat)."""
    who = member or activity.from_property
    tenant = (activity.conversation.tenant_id if activity.conversation else None) or (
        (activity.channel_data or {}).get("tenant", {}).get("id", "")
    )
    return PersonRef(
        platform=PLATFORM,
        user_id=who.aad_object_id or who.id,
        workspace_id=tenant or "",
        display_name=who.name or "",
    )


def reference_of(activity: Activity) -> dict[str, Any]:
    return TurnContext.get_conversation_reference(activity).serialize()


def delivery_id(activity: Activity) -> str | None:
    """One delivery of this activity: a redelivery (or a replay) has the same id, and changes
    nothing. Teams activity ids are unique within a conversation only."""
    if not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    return f"{conversation}:{activity.id}"[:200]
