"""POST /slack/events: the signature is checked on the raw bytes before anything is parsed.

Bolt parses the body when its request object is built and verifies the signature later, in its
first middleware; a body it cannot parse answered 500, and a timestamp that is not a number
raised inside the check, whose error handler then wrote to the user named in the unverified
body. Here nothing is decoded, parsed or acted on until the HMAC matches, and every refusal is a
4xx with no outbound call. Bolt still runs its own check afterwards, which passes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

log = logging.getLogger(__name__)

HoldAck = Callable[[dict[str, Any]], "asyncio.Future[bool] | None"]
HOLD_SECONDS = 10.0
"""The longest a direct message's 200 waits for its turn to be stored. Past Slack's own 3 s
Slack sends it again anyway (and the copy is recognised); a 503 says it was not stored."""
MAX_AGE_SECONDS = 5 * 60  # Slack's own rule for replayed requests
_MAX_TIMESTAMP_DIGITS = 12


class SlackRequestGate:
    def __init__(self, signing_secret: str, *, now: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._now = now

    def is_signed(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        """Slack's v0 scheme over the raw bytes: sha256 HMAC of ``v0:{timestamp}:{body}``."""
        if not timestamp or not signature or not signature.startswith("v0="):
            return False
        if (
            not (timestamp.isascii() and timestamp.isdigit())
            or len(timestamp) > _MAX_TIMESTAMP_DIGITS
        ):
            return False
        if abs(self._now() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        expected = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        return hmac.compare_digest("v0=" + expected.hexdigest(), signature)

    async def dispatch(
        self, request: web.Request, bolt: AsyncApp, *, hold: HoldAck | None = None
    ) -> web.Response:
        """``hold`` may hand back a future for a request whose 200 must wait until what it
        carries is stored (a direct message: see SlackChannel.hold_ack)."""
        raw = await request.read()
        headers = request.headers
        if not self.is_signed(
            raw, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        ):
            log.info("refused a Slack request with a missing, wrong or stale signature")
            return web.Response(status=401, text="invalid signature")
        bolt_request = _parse(raw, request)
        if bolt_request is None:
            log.warning("refused a signed Slack request whose body is not a Slack payload")
            return web.Response(status=400, text="not a Slack payload")
        if bolt_request.body.get("type") == "app_rate_limited":  # not an event: no listener
            log.warning(
                "Slack is holding back events for workspace %s (past 30,000 an hour): "
                "some messages will not arrive",
                bolt_request.body.get("team_id"),
            )
            return web.Response(status=200)
        stored = hold(bolt_request.body) if hold is not None else None
        response = await bolt.async_dispatch(bolt_request)
        if stored is not None:
            try:
                if response.status == 200 and not await asyncio.wait_for(
                    asyncio.shield(stored), HOLD_SECONDS
                ):
                    log.warning("a direct message could not be handled; Slack will send it again")
                    return web.Response(status=503, text="not stored")
            except TimeoutError:
                log.warning("a direct message was not stored in time; Slack will send it again")
                return web.Response(status=503, text="not stored yet")
            finally:
                stored.cancel()  # forgotten by whoever holds it, if still pending
        return await to_aiohttp_response(response)


def _parse(raw: bytes, request: web.Request) -> AsyncBoltRequest | None:
    """Bolt's request, or None when the body is not a payload Bolt can read. Bolt reads the
    context (team, enterprise, authorizations) out of the body as it builds the request, so the
    shape is checked on our own parse first."""
    try:
        text = raw.decode("utf-8")
        content_type = request.headers.get("Content-Type", "").split(";")[0] or None
        if not _is_payload(parse_body(text, content_type)):
            return None
        return AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
    except (ValueError, RecursionError):  # bad UTF-8, bad JSON, JSON nested past the limit
        return None
    except (TypeError, AttributeError, KeyError):  # a field of the wrong type in the context
        return None


def _is_payload(body: Any) -> bool:
    """Only a JSON object, and one whose event, if it has one, is an object too."""
    if not isinstance(body, dict):
        return False
    if "event" in body or body.get("type") == "event_callback":
        return isinstance(body.get("event"), dict)
    return True
