"""A local stand-in for Microsoft's Bot Framework OpenID metadata and signing keys.

It serves `/.well-known/openid-configuration` pointing at its own `/keys`, can hang or fail on
demand, counts the fetches, and signs tokens with its private key as the Bot Connector would.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.local_http import JsonHandler, start_local_server, stop_local_server

KEY_ID = "test-key-1"
ISSUER = "https://api.botframework.com"


@dataclass
class FakeOpenId:
    mode: str = "ok"  # ok, hang (until released) or fail (500)
    fetches: list[str] = field(default_factory=list)
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.jwks = {"keys": [{**public, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]}
        fake = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                with fake._condition:
                    fake.fetches.append(self.path)
                    fake._condition.notify_all()
                if fake.mode == "hang":
                    fake._release.wait(30)
                if fake.mode != "ok":
                    self.reply_json(500, {"error": "metadata unavailable"})
                elif self.path.startswith("/.well-known/openid-configuration"):
                    self.reply_json(200, {"issuer": ISSUER, "jwks_uri": fake.url + "/keys"})
                else:
                    self.reply_json(200, fake.jwks)

        self.server = start_local_server(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def release(self) -> None:
        """Let hanging fetches answer (with a 500, the mode they hung in)."""
        self._release.set()

    def wait_for_fetches(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self.fetches) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} fetch(es); saw {self.fetches}")
                self._condition.wait(remaining)

    def stop(self) -> None:
        self._release.set()
        stop_local_server(self.server)

    def token(self, *, app_id: str, service_url: str, **header: Any) -> str:
        """A token as the Bot Connector signs it for this bot."""
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 10,
            "exp": now + 3600,
        }
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": KEY_ID, **header}
        )
