"""Helpers shared by the sandbox tests: the guide's create body, a fake clock, an HTTP helper."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS, SANDBOX_WORKSPACE_ID
from tests.support import GUIDE_BODY

BASE_URL = "http://sandbox.test"
TOKEN_PATH = "/oauth/v2/token"
WORKSPACES_PATH = "/api/workspace-service/v1/workspaces"
# 2025-01-14T16:20:59Z, the instant of the reference examples.
START = 1_736_871_659.0


def guide_body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(GUIDE_BODY)
    body.update(changes)
    return body


class Clock:
    """An injectable clock: tests move time instead of sleeping."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """An HTTP client logged in as one sandbox account, with the workspace paths at hand."""

    def __init__(self, http: httpx2.AsyncClient, token: str, workspace_id: str = SANDBOX_WORKSPACE_ID) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}
        self.workspace_id = workspace_id

    def path(self, suffix: str = "") -> str:
        return f"/api/audience-service/v1/workspaces/{self.workspace_id}{suffix}"

    def audience(self, audience_id: str, suffix: str = "") -> str:
        return self.path(f"/target-audiences/{audience_id}{suffix}")

    async def as_account(self, account_index: int) -> Api:
        """Another account's view over the same HTTP client."""
        return Api(self.http, await fetch_token(self.http, account_index), self.workspace_id)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def create(self, body: dict[str, Any] | None = None, **changes: Any) -> httpx2.Response:
        return await self.request("POST", self.path("/target-audiences"), json=body or guide_body(**changes))

    async def create_ok(self, body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
        response = await self.create(body, **changes)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def list(self, **params: Any) -> httpx2.Response:
        return await self.request("GET", self.path("/target-audiences"), params=params)


async def fetch_token(http: httpx2.AsyncClient, account_index: int = 0) -> str:
    account = SANDBOX_ACCOUNTS[account_index]
    response = await http.post(
        TOKEN_PATH,
        data={
            "grant_type": "client_credentials",
            "client_id": account.client_id,
            "client_secret": account.client_secret,
            "scope": "openid",
        },
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@asynccontextmanager
async def connect(app: Starlette, account_index: int = 0) -> AsyncIterator[Api]:
    """An :class:`Api` logged in to ``app`` as the given built-in account."""
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE_URL) as http:
        yield Api(http, await fetch_token(http, account_index))
