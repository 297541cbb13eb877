"""The Web API client's retries, and the calls they must not repeat.

slack_sdk's handlers try a call again after a dropped connection or a 500/503. For a reply from
the outbox that could post it twice: the first request may have landed before the connection
dropped or the error came back. Inside ``posting_once()`` those calls are left to fail, and the
outbox retries them after looking in the channel's history; a 429, or a connection that was never
made, still says nothing went out, so those are retried here as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from aiohttp import ClientConnectorError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

_ONCE: ContextVar[bool] = ContextVar("slack_posting_once", default=False)


@contextmanager
def posting_once() -> Iterator[None]:
    """Calls made inside are retried only when they certainly did not reach Slack."""
    token = _ONCE.set(True)
    try:
        yield
    finally:
        _ONCE.reset(token)


def never_reached_slack(error: BaseException) -> bool:
    """No connection was made (refused, no route, DNS, TLS handshake): nothing was sent."""
    return isinstance(error, ClientConnectorError)


class _ConnectionErrors(AsyncConnectionErrorRetryHandler):
    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _ONCE.get() and not (error is not None and never_reached_slack(error)):
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


class _ServerErrors(AsyncServerErrorRetryHandler):
    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _ONCE.get():
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers() -> list[AsyncRetryHandler]:
    """429 Retry-After, dropped connections and Slack's 5xx answers, as slack_sdk does them."""
    return [
        _ConnectionErrors(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        _ServerErrors(max_retry_count=2),
    ]
