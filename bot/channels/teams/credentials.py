"""The bot's own token for the Bot Connector, fetched off the event loop and kept.

botbuilder makes new MicrosoftAppCredentials for every connector client, so for every activity
and every proactive send: a new MSAL application with an empty token cache, whose token msrest
then fetches synchronously while it signs the request, on the event loop (a round trip to Entra
ID, authority discovery first, every time). Here one credentials object is kept per app id,
scope and login endpoint; its token is fetched in a thread before a client gets it, looked at
again every few minutes (MSAL's cache answers until the token is near its end), and signing a
request only reads it. If no token can be had, signing fails at once and the outbox retries the
reply; the loop never waits on Entra ID.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import requests
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from msrest.authentication import Authentication

log = logging.getLogger(__name__)

FRESH_SECONDS = 240.0
"""How long a kept token is used before MSAL is asked again; it hands out none with under five
minutes left."""
READY_SECONDS = 5.0
_Key = tuple[str, str, str, bool]


class NoTokenYet(PermissionError):
    """The token could not be fetched; the send fails and is retried later."""


class KeptToken(Authentication):
    """Signs requests with a token fetched in a thread; everything else is the inner one's."""

    def __init__(self, inner: AppCredentials, *, ready_seconds: float = READY_SECONDS) -> None:
        self._inner = inner
        self._ready_seconds = ready_seconds
        self._token: str | None = None
        self._fresh_until = 0.0
        self._fetching: asyncio.Task[None] | None = None

    async def ready(self) -> None:
        """A fresh token if one comes within ``ready_seconds``; a slow Entra ID must not hold the
        request (Teams wants its answer in 15 s), so past that the fetch goes on alone."""
        if self._token is not None and time.monotonic() < self._fresh_until:
            return
        if self._fetching is None or self._fetching.done():  # one fetch at a time
            self._fetching = asyncio.get_running_loop().create_task(self._fetch())
        try:
            await asyncio.wait_for(asyncio.shield(self._fetching), self._ready_seconds)
        except TimeoutError:
            log.warning("Entra ID is slow to give a Bot Connector token; not waiting for it")

    async def _fetch(self) -> None:
        try:
            token = await asyncio.to_thread(self._inner.get_access_token)
        except Exception as exc:
            log.warning("could not get a Bot Connector token (%r); sends will fail", exc)
            return
        self._token, self._fresh_until = token, time.monotonic() + FRESH_SECONDS

    def signed_session(self, session: requests.Session | None = None) -> requests.Session:
        """msrest calls this on the event loop for every request: it must not fetch."""
        if self._token is None:
            raise NoTokenYet("no token for the Bot Connector yet")
        session = session or requests.Session()
        session.headers["Authorization"] = f"Bearer {self._token}"
        return session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class TokensOffTheLoop(ServiceClientCredentialsFactory):
    def __init__(
        self, inner: ServiceClientCredentialsFactory, *, ready_seconds: float = READY_SECONDS
    ) -> None:
        self._inner = inner
        self._ready_seconds = ready_seconds
        self._kept: dict[_Key, KeptToken] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        made = self._kept.get((app_id, oauth_scope, login_endpoint, validate_authority))
        if made is None:
            inner = await self._inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            if await self._inner.is_authentication_disabled() or not isinstance(
                inner, AppCredentials
            ):
                return inner  # the emulator: no token at all
            key = (app_id, oauth_scope, login_endpoint, validate_authority)
            made = self._kept.setdefault(key, KeptToken(inner, ready_seconds=self._ready_seconds))
        await made.ready()
        return made
