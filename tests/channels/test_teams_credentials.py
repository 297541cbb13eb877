"""The Bot Connector token: fetched in a thread and kept, never fetched on the event loop.

Entra ID cannot be reached from a test, so botbuilder's own AppCredentials base stands in for
MicrosoftAppCredentials (whose get_access_token is the blocking MSAL call), behind botbuilder's
ServiceClientCredentialsFactory interface.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory

from bot.channels.teams.credentials import NoTokenYet, TokensOffTheLoop

SCOPE = "https://api.botframework.com"
LOGIN = "https://login.microsoftonline.com"


class EntraStandIn(AppCredentials):
    def __init__(self, *, fails: bool = False) -> None:
        super().__init__(app_id="app-id")
        self.fetched_on: list[int] = []
        self.fails = fails
        self.gate: threading.Event | None = None

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.fetched_on.append(threading.get_ident())
        if self.gate is not None:
            self.gate.wait(10)
        if self.fails:
            raise ConnectionError("login.microsoftonline.com is unreachable")
        return f"token-{len(self.fetched_on)}"


class Factory(ServiceClientCredentialsFactory):
    def __init__(self, credentials: EntraStandIn, *, disabled: bool = False) -> None:
        self.credentials = credentials
        self.disabled = disabled
        self.made = 0

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == "app-id"

    async def is_authentication_disabled(self) -> bool:
        return self.disabled

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        self.made += 1
        return self.credentials


def test_the_token_is_fetched_off_the_loop_once_and_signing_only_reads_it() -> None:
    entra = EntraStandIn()
    factory = Factory(entra)

    async def two_clients() -> tuple[int, list[requests.Session]]:
        tokens = TokensOffTheLoop(factory)
        signed = []
        for _ in range(2):
            credentials = await tokens.create_credentials("app-id", SCOPE, LOGIN, True)
            signed.append(credentials.signed_session(requests.Session()))
        return threading.get_ident(), signed

    loop_thread, signed = asyncio.run(two_clients())
    assert len(entra.fetched_on) == 1 and entra.fetched_on[0] != loop_thread
    assert factory.made == 1  # one credentials object, one MSAL cache, for every client
    assert [s.headers["Authorization"] for s in signed] == ["Bearer token-1"] * 2


def test_without_a_token_signing_fails_at_once_instead_of_fetching_on_the_loop() -> None:
    entra = EntraStandIn(fails=True)

    async def sign() -> None:
        credentials = await TokensOffTheLoop(Factory(entra)).create_credentials(
            "app-id", SCOPE, LOGIN, True
        )
        credentials.signed_session(requests.Session())

    with pytest.raises(NoTokenYet):
        asyncio.run(sign())
    assert len(entra.fetched_on) == 1  # the one try, in a thread


def test_a_slow_entra_does_not_hold_the_request() -> None:
    entra = EntraStandIn()
    entra.gate = threading.Event()

    async def sign() -> str:
        tokens = TokensOffTheLoop(Factory(entra), ready_seconds=0.05)
        credentials = await tokens.create_credentials("app-id", SCOPE, LOGIN, True)
        with pytest.raises(NoTokenYet):
            credentials.signed_session(requests.Session())
        entra.gate.set()  # Entra ID answers after all; once its fetch ends ...
        await asyncio.gather(*(asyncio.all_tasks() - {asyncio.current_task()}))
        # ... the next client has the token.
        again = await tokens.create_credentials("app-id", SCOPE, LOGIN, True)
        return str(again.signed_session(requests.Session()).headers["Authorization"])

    assert asyncio.run(sign()) == "Bearer token-1"
    assert len(entra.fetched_on) == 1


def test_with_authentication_off_the_inner_credentials_pass_through() -> None:
    entra = EntraStandIn()

    async def create() -> object:
        return await TokensOffTheLoop(Factory(entra, disabled=True)).create_credentials(
            "", SCOPE, LOGIN, True
        )

    assert asyncio.run(create()) is entra
    assert entra.fetched_on == []
