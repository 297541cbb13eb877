"""Settings: secrets are SecretStr, so they never show in a repr, a log line or an error."""

from __future__ import annotations

from bot.config import Settings, reveal
from bot.runtime.turns import worker_environment

SECRETS = {
    "slack_bot_token": "xoxb-secret-1",
    "slack_signing_secret": "signing-secret-2",
    "slack_app_token": "xapp-secret-3",
    "slack_client_secret": "client-secret-4",
    "microsoft_app_password": "teams-secret-5",
    "openai_api_key": "sk-secret-6",
}


def test_secrets_never_show_in_a_repr_and_are_revealed_only_on_purpose() -> None:
    settings = Settings(**SECRETS)  # type: ignore[arg-type]
    shown = repr(settings) + str(settings) + str(settings.model_dump())
    for value in SECRETS.values():
        assert value not in shown
    assert reveal(settings.slack_bot_token) == "xoxb-secret-1"
    assert reveal(None) is None
    assert settings.slack_enabled  # a SecretStr counts as set


def test_the_turn_worker_gets_the_real_secrets_not_their_masks() -> None:
    environment = worker_environment(Settings(**SECRETS))  # type: ignore[arg-type]
    assert environment["SLACK_SIGNING_SECRET"] == "signing-secret-2"
    assert "*" not in environment["OPENAI_API_KEY"]
