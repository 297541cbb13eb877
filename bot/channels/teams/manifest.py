"""The Teams app package an admin uploads: manifest.json and the two icons Teams requires.

The icons are drawn here (a colour tile and a white outline on transparency) so the package
needs no image files or tools.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.config import ConfigError, TeamsAppLinks

MANIFEST_VERSION = "1.16"
ACCENT = (0x26, 0x46, 0x53)
COMMANDS = (
    ("help", "What I can do, and the commands"),
    ("status", "Where your request stands, and your recent requests"),
    ("waiting", "Decisions waiting on you, with their buttons"),
    ("new", "Start a new request"),
    ("cancel", "Cancel the request in progress"),
)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PLACEHOLDER_SITE = "https://example.com"
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "example")
"""Names kept for examples (RFC 2606): a link there is a placeholder, never a real page."""


@dataclass(frozen=True)
class Links:
    website: str
    privacy: str
    terms: str


def teams_links(settings: TeamsAppLinks, *, website: str | None = None) -> Links:
    """The package's links from app.yaml's ``teams_app``; ``website`` (``--website``) wins for
    the site. A privacy or terms link not given is the site's /privacy or /terms."""
    site = website or settings.website_url or PLACEHOLDER_SITE
    return Links(
        website=site,
        privacy=settings.privacy_url or site.rstrip("/") + "/privacy",
        terms=settings.terms_url or site.rstrip("/") + "/terms",
    )


def placeholder_warning(links: Links) -> str | None:
    """One line naming the links that are still placeholders, or None when all are real."""
    left = [
        (name, key)
        for name, key, url in (
            ("website", "website_url", links.website),
            ("privacy", "privacy_url", links.privacy),
            ("terms", "terms_url", links.terms),
        )
        if _is_placeholder(url)
    ]
    if not left:
        return None
    names, keys = _and([name for name, _ in left]), _and([key for _, key in left])
    plural = "links are still placeholders" if len(left) > 1 else "link is still a placeholder"
    return (
        f"the Teams app's {names} {plural} (example.com): set teams_app.{keys} in app.yaml "
        "before you publish the app"
    )


def _is_placeholder(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return any(host == name or host.endswith("." + name) for name in _RESERVED_DOMAINS)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def teams_manifest(*, app_id: str, links: Links) -> dict[str, Any]:
    if not _GUID.match(app_id or ""):
        raise ConfigError(
            f"MICROSOFT_APP_ID must be the bot's Azure app id (a GUID), not {app_id!r}"
        )
    commands = [{"title": title, "description": text} for title, text in COMMANDS]
    return {
        "$schema": "https://developer.microsoft.com/en-us/json-schemas/teams/"
        f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": "1.0.0",
        "id": app_id,
        "developer": {
            "name": "Learning & Development",
            "websiteUrl": links.website,
            "privacyUrl": links.privacy,
            "termsOfUseUrl": links.terms,
        },
        "name": {"short": "L&D Triage", "full": "L&D Triage desk"},
        "description": {
            "short": "Tell L&D what is failing before anyone builds a course.",
            "full": "A 15-minute triage conversation for requests to Learning & Development: "
            "what task is failing, who performs it, where it fails, what support exists and "
            "what evidence would show progress. Every answer is saved as you go.",
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def teams_package(*, app_id: str, links: Links) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        manifest = teams_manifest(app_id=app_id, links=links)
        package.writestr("manifest.json", json.dumps(manifest, indent=2))
        package.writestr("color.png", _png(192, _colour_tile))
        package.writestr("outline.png", _png(32, _outline))
    return buffer.getvalue()


def _colour_tile(x: int, y: int, size: int) -> tuple[int, int, int, int]:
    inner = size // 4 <= x < size * 3 // 4 and size // 4 <= y < size * 3 // 4
    return (
        (255, 255, 255, 255)
        if inner and (y - size // 4) % (size // 8) < size // 16
        else (*ACCENT, 255)
    )


def _outline(x: int, y: int, size: int) -> tuple[int, int, int, int]:
    edge = x in (2, size - 3) or y in (2, size - 3)
    inside = 2 <= x <= size - 3 and 2 <= y <= size - 3
    return (255, 255, 255, 255) if edge and inside else (0, 0, 0, 0)


def _png(size: int, pixel: Any) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"IEND", b""))
    )
