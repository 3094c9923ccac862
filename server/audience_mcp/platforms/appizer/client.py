"""The typed Appizer client: the two documented endpoints, `POST /audiences` and `GET /audiences`.

No get-by-id, update or delete route is documented (FACTS.md), so none is invented: `find_audience`
pages the list, which costs up to `max_pages` requests of 100 audiences.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import httpx2
from pydantic import BaseModel, SecretStr, ValidationError

from audience_mcp.core.http import wire
from audience_mcp.core.http.deadline import DEFAULT_CALL_DEADLINE_SECONDS
from audience_mcp.core.http.errors import APIError
from audience_mcp.core.http.lazy import LazyHttpClient
from audience_mcp.core.http.paths import path_segment
from audience_mcp.core.http.requester import ApiRequester, RetryPolicy, Sleep
from audience_mcp.core.secrets import redactor
from audience_mcp.platforms.appizer.errors import classify
from audience_mcp.platforms.appizer.models import (
    MAX_LIMIT,
    AudiencePage,
    AudienceSummary,
    CreateAudienceRequest,
    CreatedAudience,
)
from audience_mcp.platforms.appizer.pacing import PacedBearer, RateLimitPacer

M = TypeVar("M", bound=BaseModel)


class ResponseFormatError(APIError):
    """Appizer answered 2xx with a body this client cannot read."""


def checked_id(value: str, what: str = "app_id") -> str:
    """The one check of every id this client sends: core's path-segment rule (core/http/paths).

    Appizer's documented routes put ids in the query or body only, never in a path; the same rule
    still refuses what no real id holds (empty, dots, slashes, control characters, over-long).
    """
    text = value.strip()
    path_segment(text, what=what)  # raises UnsafePathSegmentError, saying what is wrong
    return text


class AppizerClient:
    """Async client of Appizer's audiences API."""

    def __init__(self, requester: ApiRequester, http: httpx2.AsyncClient | LazyHttpClient, pacer: RateLimitPacer):
        self._requester = requester
        self._http = http
        self.pacer = pacer

    @classmethod
    def connect(
        cls,
        *,
        api_url: str,
        api_key: SecretStr,
        timeout_seconds: float = 30.0,
        call_deadline_seconds: float = DEFAULT_CALL_DEADLINE_SECONDS,
        network: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        wall_clock: Any = None,
        rng: random.Random | None = None,
    ) -> AppizerClient:
        """Build a client; `network` routes it elsewhere (the in-process sandbox)."""
        redactor.add([api_key.get_secret_value()])
        http = LazyHttpClient.for_api(timeout_seconds=timeout_seconds, network=network)
        pacer_args: dict[str, Any] = {"wall_clock": wall_clock} if wall_clock is not None else {}
        pacer = RateLimitPacer(max_wait=timeout_seconds, sleep=sleep, **pacer_args)
        requester = ApiRequester(
            base_url=api_url,
            http=http,
            auth=PacedBearer(api_key, pacer),
            service_name="the Appizer API",
            classify=classify,
            retry=retry,
            sleep=sleep,
            rng=rng,
            call_deadline=call_deadline_seconds,
        )
        return cls(requester, http, pacer)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _read(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        response = await self._requester.request(method, path, **kwargs)
        try:
            return model.model_validate(wire.loads(response.content))
        except (ValueError, ValidationError) as exc:
            raise ResponseFormatError(
                f"Appizer answered {method} {path} with a body this server cannot read ({type(exc).__name__})",
                method=method,
                path=path,
            ) from exc

    async def list_audiences(self, app_id: str, *, limit: int = MAX_LIMIT, offset: int = 0) -> AudiencePage:
        """`GET /audiences?app_id&limit&offset`; limit is clamped to the documented 1..100."""
        params = {"app_id": checked_id(app_id), "limit": max(1, min(limit, MAX_LIMIT)), "offset": max(0, offset)}
        return await self._read(AudiencePage, "GET", "/audiences", params=params)

    async def create_audience(self, request: CreateAudienceRequest) -> CreatedAudience:
        """`POST /audiences`; never retried once it may have reached Appizer (core's retry rule)."""
        body = request.to_body()
        body["app_id"] = checked_id(request.app_id)
        return await self._read(CreatedAudience, "POST", "/audiences", json=body)

    async def audiences(self, app_id: str, *, max_pages: int) -> AsyncIterator[tuple[AudiencePage, int]]:
        """Every page of the list (100 at a time), at most `max_pages`, with each page's offset."""
        offset = 0
        for _ in range(max_pages):
            page = await self.list_audiences(app_id, limit=MAX_LIMIT, offset=offset)
            yield page, offset
            if not page.more_after(offset) or not page.audiences:
                return
            offset += len(page.audiences)

    async def find_audience(self, app_id: str, audience_id: str, *, max_pages: int = 20) -> AudienceSummary | None:
        """The audience with this id, found by paging the list (no get-by-id route is documented):
        up to `max_pages` requests, None when it is not among them."""
        wanted = audience_id.strip()
        async for page, _ in self.audiences(app_id, max_pages=max_pages):
            for audience in page.audiences:
                if audience.audience_id == wanted:
                    return audience
        return None
