"""The typed neuroflash client: one method per endpoint of the reference.

Paths are relative to the API base URL (`https://app.neuroflash.com/api`):
`/workspace-service/v1/workspaces` and `/audience-service/v1/workspaces/{id}/...`.
One `httpx2.AsyncClient` is shared by every call (connection reuse); the same code talks to
the real API or to the sandbox (through `httpx2.ASGITransport` or over loopback).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import anyio
import httpx2
from pydantic import SecretStr, ValidationError

from audience_mcp.core.http import wire
from audience_mcp.core.http.auth import ClientCredentialsAuth, StaticBearer
from audience_mcp.core.http.deadline import DEFAULT_CALL_DEADLINE_SECONDS
from audience_mcp.core.http.errors import APIConnectionError, APIError
from audience_mcp.core.http.lazy import LazyHttpClient
from audience_mcp.core.http.paths import path_segment
from audience_mcp.core.http.requester import ApiRequester, RetryPolicy, Sleep
from audience_mcp.platforms.neuroflash.errors import classify
from audience_mcp.platforms.neuroflash.models import (
    Audience,
    AudienceImage,
    AudienceLimits,
    AudiencePage,
    AudienceProfile,
    Duplication,
    ImageUpload,
    UrlImportRequest,
    Workspace,
)

MAX_PAGE_SIZE = 200


class ResponseFormatError(APIError):
    """The API answered 2xx with a body this client cannot read."""


def _workspace(workspace_id: str) -> str:
    # Every id goes through core's one segment check: `..` or `/` never reach a URL.
    return f"/audience-service/v1/workspaces/{path_segment(workspace_id, what='workspace_id')}"


def _audiences(workspace_id: str) -> str:
    return f"{_workspace(workspace_id)}/target-audiences"


def _audience(workspace_id: str, audience_id: str) -> str:
    return f"{_audiences(workspace_id)}/{path_segment(audience_id, what='audience_id')}"


class NeuroflashClient:
    """Async client of the neuroflash target-audience and workspace APIs."""

    def __init__(self, requester: ApiRequester, http: httpx2.AsyncClient | LazyHttpClient) -> None:
        self._requester = requester
        self._http = http

    @classmethod
    def connect(
        cls,
        *,
        api_url: str,
        token_url: str,
        client_id: str | None = None,
        client_secret: SecretStr | None = None,
        access_token: SecretStr | None = None,
        timeout_seconds: float = 30.0,
        call_deadline_seconds: float = DEFAULT_CALL_DEADLINE_SECONDS,
        network: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        clock: Any = None,
        rng: random.Random | None = None,
    ) -> NeuroflashClient:
        """Build a client; `network` routes it elsewhere (the in-process sandbox)."""
        http = LazyHttpClient.for_api(timeout_seconds=timeout_seconds, network=network)
        auth: httpx2.Auth
        if access_token is not None:
            auth = StaticBearer(access_token)
        elif client_id and client_secret is not None:
            kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}
            auth = ClientCredentialsAuth(
                token_url=token_url,
                client_id=client_id,
                client_secret=client_secret,
                http=http,
                classify=classify,
                **kwargs,
            )
        else:
            raise ValueError(
                "No credentials: set NEUROFLASH_CLIENT_ID and NEUROFLASH_CLIENT_SECRET, "
                "or NEUROFLASH_ACCESS_TOKEN, or use the sandbox"
            )
        requester = ApiRequester(
            base_url=api_url,
            http=http,
            auth=auth,
            service_name="the neuroflash API",
            classify=classify,
            retry=retry,
            sleep=sleep,
            rng=rng,
            call_deadline=call_deadline_seconds,
        )
        return cls(requester, http)

    @property
    def requester(self) -> ApiRequester:
        return self._requester

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._requester.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return wire.loads(response.content)
        except ValueError as exc:
            raise ResponseFormatError(f"{method} {path} answered with a body that is not JSON") from exc

    @staticmethod
    def _parse(model: type[Any], data: Any, what: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ResponseFormatError(f"Unexpected {what} from the API: {exc.error_count()} problems") from exc

    @staticmethod
    def _same_audience(audience: Audience, audience_id: str) -> Audience:
        # A router that resolved the path differently (or a proxy) answered for another object:
        # acting on it (a delete preview, a merge for an update) would touch the wrong audience.
        if audience.id != audience_id:
            raise ResponseFormatError(
                f"Asked for audience {audience_id!r} but the API answered with audience {audience.id!r}; "
                "nothing was changed. Use an id exactly as neuroflash_list_audiences returned it."
            )
        return audience

    # -- workspaces ---------------------------------------------------------------------------

    async def list_workspaces(self) -> list[Workspace]:
        """The workspaces these credentials can use."""
        data = await self._json("GET", "/workspace-service/v1/workspaces")
        # The lifecycle guide reads `_embedded.workspaces`, a third-party script `data`.
        items: Any = []
        if isinstance(data, dict):
            embedded = data.get("_embedded")
            if isinstance(embedded, dict) and isinstance(embedded.get("workspaces"), list):
                items = embedded["workspaces"]
            elif isinstance(data.get("data"), list):
                items = data["data"]
        elif isinstance(data, list):
            items = data
        return [self._parse(Workspace, item, "workspace") for item in items]

    # -- audiences ----------------------------------------------------------------------------

    async def list_audiences(
        self,
        workspace_id: str,
        *,
        page: int = 1,
        size: int = 20,
        search: str | None = None,
        country: str | None = None,
        native_language: str | None = None,
    ) -> AudiencePage:
        params: dict[str, str | int] = {"page": page, "size": min(size, MAX_PAGE_SIZE)}
        if search:
            params["search"] = search
        if country:
            params["country"] = country
        if native_language:
            params["nativeLanguage"] = native_language
        data = await self._json("GET", _audiences(workspace_id), params=params)
        page_model: AudiencePage = self._parse(AudiencePage, data, "audience page")
        return page_model

    async def list_audiences_raw(self, workspace_id: str, *, page: int = 1, size: int = MAX_PAGE_SIZE) -> Any:
        """One list page as parsed JSON (numbers exact), for readers that must tolerate any item.

        The audit reads data other clients wrote; one malformed audience must not make a whole
        page unreadable, as model validation would.
        """
        params: dict[str, str | int] = {"page": page, "size": min(size, MAX_PAGE_SIZE)}
        return await self._json("GET", _audiences(workspace_id), params=params)

    async def get_audience(self, workspace_id: str, audience_id: str) -> Audience:
        data = await self._json("GET", _audience(workspace_id, audience_id))
        return self._same_audience(self._parse(Audience, data, "audience"), audience_id)

    async def create_audience(self, workspace_id: str, profile: AudienceProfile) -> Audience:
        data = await self._json("POST", _audiences(workspace_id), json=profile.to_body())
        audience: Audience = self._parse(Audience, data, "audience")
        return audience

    async def update_audience(self, workspace_id: str, audience_id: str, profile: AudienceProfile) -> Audience:
        """Full replacement (PUT): `profile` must be complete; see tools for fetch-merge-PUT."""
        data = await self._json("PUT", _audience(workspace_id, audience_id), json=profile.to_body())
        return self._same_audience(self._parse(Audience, data, "audience"), audience_id)

    async def delete_audience(self, workspace_id: str, audience_id: str) -> None:
        await self._requester.request("DELETE", _audience(workspace_id, audience_id))

    async def duplicate_audience(self, workspace_id: str, audience_id: str, new_name: str | None = None) -> Duplication:
        body: dict[str, str] = {"newName": new_name} if new_name else {}
        data = await self._json("POST", f"{_audience(workspace_id, audience_id)}/duplication", json=body)
        duplication: Duplication = self._parse(Duplication, data, "duplication")
        return duplication

    async def get_image(self, workspace_id: str, audience_id: str) -> AudienceImage:
        data = await self._json("GET", f"{_audience(workspace_id, audience_id)}/image")
        image: AudienceImage = self._parse(AudienceImage, data, "image")
        return image

    async def set_image(self, workspace_id: str, audience_id: str, upload: ImageUpload) -> AudienceImage:
        data = await self._json("PUT", f"{_audience(workspace_id, audience_id)}/image", json=upload.to_body())
        image: AudienceImage = self._parse(AudienceImage, data, "image")
        return image

    async def delete_image(self, workspace_id: str, audience_id: str) -> None:
        await self._requester.request("DELETE", f"{_audience(workspace_id, audience_id)}/image")

    async def fetch_image_bytes(self, url: str) -> tuple[bytes, str]:
        """Download an image from its (signed) URL: the bytes and the content type."""
        try:
            response = await self._http.get(url)
        except httpx2.HTTPError as exc:
            raise APIConnectionError(
                f"Could not download the image ({type(exc).__name__})", method="GET", path=url, reached_server=None
            ) from exc
        if response.is_error:
            raise classify(response)
        return response.content, response.headers.get("content-type", "application/octet-stream")

    async def record_usage(self, workspace_id: str, audience_id: str) -> None:
        await self._requester.request("PUT", f"{_audience(workspace_id, audience_id)}/usage", json={})

    async def get_limits(self, workspace_id: str) -> AudienceLimits:
        data = await self._json("GET", f"{_workspace(workspace_id)}/limits/target-audiences")
        limits: AudienceLimits = self._parse(AudienceLimits, data, "limits")
        return limits

    async def import_from_urls(self, workspace_id: str, urls: Sequence[str], audience_model_id: str) -> AudienceProfile:
        """A prepared profile from web pages; not saved (no id)."""
        body = UrlImportRequest(audience_model_id=audience_model_id, urls=list(urls)).to_body()
        data = await self._json(
            "POST",
            f"{_workspace(workspace_id)}/target-audiences-url-imports",
            json=body,
        )
        profile: AudienceProfile = self._parse(AudienceProfile, data, "URL import result")
        return profile
