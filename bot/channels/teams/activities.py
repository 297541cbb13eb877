"""Reading a Bot Framework activity: who sent it, and where to reach them later.

Both the message side (bot.py) and the card actions (card_actions.py) need these, and sending
later (sending.py) relies on the reference kept here at every turn.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount

from bot.messages import Attachment, PersonRef

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


def is_personal(activity: Activity) -> bool:
    """The one-to-one chat with the bot, where the triage runs; team channels and group chats
    are public, so nothing said there is taken as an answer."""
    conversation = activity.conversation
    kind = (conversation.conversation_type if conversation else None) or "personal"
    return kind == "personal" and not (conversation and conversation.is_group)


def mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    return any(_mentioned_id(entity) == bot_id for entity in _mentions(activity))


def personal_chat_link(app_id: str) -> str:
    """Teams' deep link to a chat with a bot: its id is 28: and the app id."""
    return f"https://teams.microsoft.com/l/chat/0/0?users={quote('28:' + app_id)}"


def text_of(activity: Activity) -> str:
    """What the person wrote: the bot's own mention taken out by its entity (whatever name it
    shows), other people's mentions kept as their names, and HTML (formatted messages, pasted
    content) read as text. Anything else, tags included, is kept as typed."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    bot_removed = False
    for entity in _mentions(activity):
        tag = _entity_text(entity)
        if not tag or tag not in text:
            continue
        if _mentioned_id(entity) == bot_id:
            text, bot_removed = text.replace(tag, " ", 1), True
        else:
            text = text.replace(tag, _mentioned_name(entity) or _strip_at(tag))
    if mentions_bot(activity) and not bot_removed:  # its entity gives no text, or another
        text = _AT_TAG.sub(" ", text, count=1)
    if _looks_like_html(text) or activity.text_format == "xml":
        text = _html_to_text(text)
    return re.sub(r"[ \t]+", " ", text).strip()


_AT_TAG = re.compile(r"<at>[^<]*</at>")


def attachments_of(activity: Activity) -> tuple[Attachment, ...]:
    """Files and images in a personal chat. Teams also sends a text/html copy of every
    formatted message as an attachment: that is the message, not a file."""
    found = []
    for attachment in activity.attachments or []:
        kind = attachment.content_type or ""
        content = attachment.content if isinstance(attachment.content, dict) else {}
        if kind == "application/vnd.microsoft.teams.file.download.info":
            link = attachment.content_url or content.get("downloadUrl") or ""
            found.append(Attachment(name=attachment.name or "", link=str(link)))
        elif kind.startswith("image/") or kind == "application/vnd.microsoft.teams.card.file.info":
            found.append(
                Attachment(
                    name=attachment.name or "an image", link=str(attachment.content_url or "")
                )
            )
    return tuple(found)


def _mentions(activity: Activity) -> list[Any]:
    return [e for e in activity.entities or [] if getattr(e, "type", None) == "mention"]


def _entity_properties(entity: Any) -> dict[str, Any]:
    properties = getattr(entity, "additional_properties", None) or {}
    return properties if isinstance(properties, dict) else {}


def _entity_text(entity: Any) -> str:
    return str(getattr(entity, "text", None) or _entity_properties(entity).get("text") or "")


def _mentioned(entity: Any) -> dict[str, Any]:
    mentioned = getattr(entity, "mentioned", None) or _entity_properties(entity).get("mentioned")
    if isinstance(mentioned, dict):
        return mentioned
    if mentioned is not None:
        return {"id": getattr(mentioned, "id", None), "name": getattr(mentioned, "name", None)}
    return {}


def _mentioned_id(entity: Any) -> str | None:
    return _mentioned(entity).get("id")


def _mentioned_name(entity: Any) -> str:
    return str(_mentioned(entity).get("name") or "")


def _strip_at(tag: str) -> str:
    return re.sub(r"</?at>", "", tag)


_HTML_MESSAGE = re.compile(r"\s*<(p|div|span)\b[^>]*>.*</(p|div|span)>\s*", re.S | re.I)


def _looks_like_html(text: str) -> bool:
    """A formatted or pasted message comes as one HTML block (<p>…</p>, its & and < escaped);
    text someone typed with a stray tag in it does not."""
    return bool(_HTML_MESSAGE.fullmatch(text))


_BREAKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return html.unescape("".join(parser.parts))
