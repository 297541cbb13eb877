"""Bot Framework tokens: refuse the malformed ones at once, fetch signing keys without stalling.

botbuilder checks a token by fetching Microsoft's OpenID metadata with a blocking
``requests.get`` and no timeout, on the event loop, before it looks at the token's algorithm,
and fetches again on every request after a failure. One forged token with a hanging metadata
endpoint froze every Slack ack and /healthz. So:

- ``token_problem`` refuses what no Bot Framework token looks like (not a JWT, alg none or HS256,
  no key id, no issuer) before botbuilder sees it;
- ``SigningKeys`` replaces botbuilder's key cache: aiohttp with a timeout, one fetch at a time,
  keys kept for a day, an unknown key id refetched at most every few minutes, and a back-off
  after a failure during which no fetch is made.

botbuilder builds its JwtTokenExtractor inside the library on every request and asks the static
``get_open_id_metadata`` for the cache, so that static method is the one seam to hook.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdConfig
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

ALGORITHM = "RS256"  # what the Bot Connector signs with, and all botbuilder decodes with
MAX_TOKEN_BYTES = 16 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
KEYS_FRESH_SECONDS = 24 * 3600
UNKNOWN_KEY_REFETCH_SECONDS = 300
BACK_OFF_SECONDS = (30.0, 60.0, 120.0, 300.0, 600.0)


def token_problem(authorization: str) -> str | None:
    """Why this Authorization header cannot hold a Bot Framework token, or None if it might."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or not token or " " in token:
        return "no bearer token"
    if len(token) > MAX_TOKEN_BYTES:
        return "token too long"
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return "not a JWT"
    if header.get("alg") != ALGORITHM:
        return f"signing algorithm {header.get('alg')!r} is not {ALGORITHM}"
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        return "no key id"
    if not isinstance(claims.get("iss"), str):
        return "no issuer"
    return None


class SigningKeys:
    """The signing keys behind one OpenID metadata URL, in the shape botbuilder reads."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = FETCH_TIMEOUT_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self._now = now
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._failures = 0
        self._quiet_until = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def get(self, key_id: str) -> _OpenIdConfig | None:
        """The key for ``key_id``, or None: botbuilder then refuses the token."""
        if self._stale() or (key_id not in self._keys and self._may_refetch()):
            async with self._lock:  # concurrent requests share one fetch
                if self._stale() or (key_id not in self._keys and self._may_refetch()):
                    await self._refresh()
        key = self._keys.get(key_id)
        if key is None:
            return None
        return _OpenIdConfig(RSAAlgorithm.from_jwk(json.dumps(key)), key.get("endorsements", []))

    def _stale(self) -> bool:
        fresh = self._fetched_at is not None and self._now() - self._fetched_at < KEYS_FRESH_SECONDS
        return not fresh and self._now() >= self._quiet_until

    def _may_refetch(self) -> bool:
        if self._now() < self._quiet_until:
            return False
        return self._fetched_at is None or (
            self._now() - self._fetched_at >= UNKNOWN_KEY_REFETCH_SECONDS
        )

    async def _refresh(self) -> None:
        self.fetches += 1
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.url) as response:
                    response.raise_for_status()
                    jwks_uri = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as response:
                    response.raise_for_status()
                    listed = (await response.json(content_type=None))["keys"]
            keys = {key["kid"]: key for key in listed if isinstance(key.get("kid"), str)}
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            wait = BACK_OFF_SECONDS[min(self._failures, len(BACK_OFF_SECONDS) - 1)]
            self._failures += 1
            self._quiet_until = self._now() + wait
            log.warning(
                "could not fetch Bot Framework signing keys from %s (%r); next try in %.0fs",
                self.url,
                exc,
                wait,
            )
            return
        self._keys, self._fetched_at, self._failures = keys, self._now(), 0
        self._quiet_until = self._now() + UNKNOWN_KEY_REFETCH_SECONDS


class KeyRegistry:
    """One ``SigningKeys`` per metadata URL. ``metadata_url`` sends every lookup to one URL
    instead of Microsoft's (a proxy, or a test's own key server)."""

    def __init__(self, *, metadata_url: str | None = None) -> None:
        self.metadata_url = metadata_url
        self.caches: dict[str, SigningKeys] = {}

    def for_url(self, url: str) -> SigningKeys:
        url = self.metadata_url or url
        if url not in self.caches:
            self.caches[url] = SigningKeys(url)
        return self.caches[url]

    def install(self) -> None:
        JwtTokenExtractor.get_open_id_metadata = staticmethod(self.for_url)
