"""Sending one API request: retries with backoff and error mapping; auth is an `httpx2.Auth`.

Retry rules (the issue's and the API's traps):
- 429: retried for every method, waiting `Retry-After` (capped); a 429 means the request
  was refused, so even a create cannot have happened.
- 502/503/504 and dropped connections: retried with exponential backoff and jitter, but only
  for idempotent requests (GET/PUT/DELETE). A create (POST) that may have reached the server
  is never retried: a blind retry can create a duplicate.
- A connect error or timeout, or no free connection in the pool (the request provably never
  left), is retried for every method; `reached_server=False` tells the tools nothing happened.
- One deadline per tool call (deadline.py) bounds every attempt and every wait: a retry that
  could not start in time is not made, and the last error is raised instead.
- 401: the auth flow's business (it may refresh its token and send once more); the requester
  only counts that re-send as an attempt.

The requester knows no platform: the platform gives it the auth, the classifier that reads its
error bodies, and the name its messages use for the service.

Names: "transport" means only the MCP transport (stdio, Streamable HTTP) in this project; the
httpx2 transport a client's requests travel over (the network, or an in-process sandbox's
`httpx2.ASGITransport`) is its `network`, and this module's class is the `ApiRequester`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2

from audience_mcp.core.http import wire
from audience_mcp.core.http.deadline import DEFAULT_CALL_DEADLINE_SECONDS, deadline
from audience_mcp.core.http.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    Classifier,
    RateLimitError,
    UnsendableRequestError,
)
from audience_mcp.core.http.errors import classify as generic_classify
from audience_mcp.core.http.lazy import LazyHttpClient
from audience_mcp.core.http.paths import check_path

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; `max_attempts` counts the first try."""

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0
    retry_after_cap: float = 30.0

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter: a random wait up to base * 2^n, capped."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))
        return rng.uniform(0, ceiling)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unsendable(reason: str) -> UnsendableRequestError:
    return UnsendableRequestError(
        f"{reason}; nothing was sent. Shorten the value or remove the character, then call again."
    )


class ApiRequester:
    """Sends requests to the API base URL with auth, retries and typed errors.

    `service_name` is how messages name the service ("the billing API"); `classify` turns an
    error response into an APIStatusError (the platform's rules, or the generic default).
    """

    def __init__(
        self,
        *,
        base_url: str,
        http: httpx2.AsyncClient | LazyHttpClient,
        auth: httpx2.Auth,
        service_name: str = "the API",
        classify: Classifier = generic_classify,
        retry: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        rng: random.Random | None = None,
        call_deadline: float = DEFAULT_CALL_DEADLINE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call_deadline = call_deadline
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._http = http
        self._auth = auth
        self._service_name = service_name
        self._classify = classify
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    @property
    def auth(self) -> httpx2.Auth:
        return self._auth

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx2.Response:
        """Send `method path` and return the successful response, or raise an APIError."""
        check_path(path)  # ids went through paths.path_segment; this catches a client that forgot
        url = f"{self._base_url}{path}"
        headers = {"Accept": "application/json"}
        content = None
        if json is not None:
            try:
                content = wire.dumps(json)
            except UnicodeEncodeError:
                raise _unsendable("a text in the request has a lone surrogate, which is not valid Unicode") from None
            headers["Content-Type"] = "application/json"
        idempotent = method in IDEMPOTENT_METHODS
        give_up_at = deadline(self._call_deadline, self._clock)
        # Whether an earlier attempt may have been processed: decides what a final timeout means.
        maybe_sent = False
        attempt = 0
        while True:
            attempt += 1
            remaining = give_up_at - self._clock()
            if remaining <= 0:
                raise self._deadline_error(method, path, maybe_sent)
            started = time.perf_counter()
            try:
                with anyio.move_on_after(remaining) as scope:
                    response = await self._http.request(
                        method,
                        url,
                        content=content,
                        params=params,
                        headers=headers,
                        auth=self._auth,
                    )
                if scope.cancelled_caught:
                    raise self._deadline_error(method, path, True)
            except httpx2.InvalidURL:
                raise _unsendable("a value makes the URL too long (an id or search text far too long)") from None
            except UnicodeEncodeError:
                raise _unsendable("a value in the URL has a lone surrogate, which is not valid Unicode") from None
            except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout) as exc:
                # No connection, so nothing was sent: safe to retry even a create.
                if attempt < self._retry.max_attempts and await self._wait(
                    self._retry.backoff(attempt, self._rng), give_up_at, method, path, type(exc).__name__
                ):
                    continue
                raise APIConnectionError(
                    f"Could not connect to {self._service_name} ({type(exc).__name__})",
                    method=method,
                    path=path,
                    # This attempt sent nothing, but an earlier one (a timeout, a 503) may have.
                    reached_server=None if maybe_sent else False,
                ) from exc
            except (httpx2.TimeoutException, httpx2.TransportError) as exc:
                maybe_sent = True
                if (
                    idempotent
                    and attempt < self._retry.max_attempts
                    and await self._wait(
                        self._retry.backoff(attempt, self._rng), give_up_at, method, path, type(exc).__name__
                    )
                ):
                    continue
                error_type = APITimeoutError if isinstance(exc, httpx2.TimeoutException) else APIConnectionError
                raise error_type(
                    f"{_capitalized(self._service_name)} did not answer ({type(exc).__name__})",
                    method=method,
                    path=path,
                    reached_server=None,
                ) from exc
            # An auth flow's re-send (a refreshed token after a 401) left its answer in the history.
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.debug("%s %s -> %s in %.1f ms (attempt %d)", method, path, response.status_code, elapsed_ms, attempt)
            if response.is_success:
                return response
            error = self._classify(response)
            if (
                attempt < self._retry.max_attempts
                and self._retryable(error, idempotent)
                and await self._wait(
                    self._delay(error, attempt), give_up_at, method, path, f"HTTP {response.status_code}"
                )
            ):
                maybe_sent = maybe_sent or not isinstance(error, RateLimitError)
                continue
            raise error

    def _deadline_error(self, method: str, path: str, maybe_sent: bool) -> APITimeoutError:
        return APITimeoutError(
            f"{_capitalized(self._service_name)} did not answer within the call's deadline of "
            f"{self._call_deadline:g} s (AUDIENCE_MCP_CALL_DEADLINE_SECONDS)",
            method=method,
            path=path,
            reached_server=None if maybe_sent else False,
        )

    def _retryable(self, error: APIStatusError, idempotent: bool) -> bool:
        if isinstance(error, RateLimitError):
            return error.retry_after is None or error.retry_after <= self._retry.retry_after_cap
        return idempotent and error.status in RETRYABLE_STATUSES

    def _delay(self, error: APIStatusError, attempt: int) -> float:
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return min(error.retry_after, self._retry.retry_after_cap)
        return self._retry.backoff(attempt, self._rng)

    async def _wait(self, seconds: float, give_up_at: float, method: str, path: str, reason: str) -> bool:
        """Wait before a retry; False (no wait) when the retry could not start before the deadline."""
        if self._clock() + seconds >= give_up_at:
            logger.info("Not retrying %s %s after %s: the call's deadline comes first", method, path, reason)
            return False
        logger.info("Retrying %s %s in %.2f s after %s", method, path, seconds, reason)
        await self._sleep(seconds)
        return True
