"""The cookie-session login of Digital Audience as an `httpx2.Auth` flow.

`POST /account/login {"userName", "password"}` answers `data: true` and sets the session cookie
`digitalAudience`, which every later request sends. How long a session lives is not documented,
so a 401, or a wrapped answer that says "not logged in", counts as an expired session: the flow
logs in once more and sends the request again, once. One login runs at a time however many
requests wait for it; the cookie is registered with the log redactor the moment it is known.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Generator, Iterable

import anyio
import httpx2
from pydantic import SecretStr

from audience_mcp.core.http.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    json_body,
    response_fields,
)
from audience_mcp.core.http.lazy import LazyHttpClient
from audience_mcp.core.secrets import redactor
from audience_mcp.platforms.digital_audience.errors import classify, is_not_logged_in, wrapper_status

logger = logging.getLogger(__name__)

SESSION_COOKIE = "digitalAudience"
LOGIN_PATH = "/account/login"


class CookieSessionAuth(httpx2.Auth):
    """Logs in on first use and after an expired session; sends the session cookie."""

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: SecretStr,
        http: httpx2.AsyncClient | LazyHttpClient,
        register_secret: Callable[[Iterable[str]], None] = redactor.add,
    ) -> None:
        self._login_url = f"{base_url.rstrip('/')}{LOGIN_PATH}"
        self._username = username
        self._password = password
        self._http = http
        self._register_secret = register_secret
        self._lock = anyio.Lock()
        self._cookie: str | None = None
        self._logins = 0

    def __repr__(self) -> str:
        return f"CookieSessionAuth(login_url={self._login_url!r}, username={self._username!r})"

    @property
    def logins(self) -> int:
        """How many logins were sent so far (for tests)."""
        return self._logins

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        raise RuntimeError("CookieSessionAuth works with httpx2.AsyncClient only")

    async def async_auth_flow(self, request: httpx2.Request) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        cookie = await self.session()
        _with_cookie(request, cookie)
        response = yield request
        await response.aread()  # the body tells a wrapped "not logged in" (bodies are small)
        if is_not_logged_in(response):
            self.invalidate(cookie)
            _with_cookie(request, await self.session())
            yield request

    async def session(self) -> str:
        """The current session cookie, logging in when there is none."""
        if self._cookie is not None:
            return self._cookie
        async with self._lock:
            if self._cookie is not None:  # another task logged in while this one waited
                return self._cookie
            self._cookie = await self._login()
            return self._cookie

    def invalidate(self, cookie: str) -> None:
        """Forget `cookie` after an expired-session answer, unless a newer one replaced it."""
        if self._cookie == cookie:
            self._cookie = None

    async def _login(self) -> str:
        self._logins += 1
        try:
            response = await self._http.post(
                self._login_url,
                json={"userName": self._username, "password": self._password.get_secret_value()},
                headers={"Accept": "application/json"},
            )
        except httpx2.TimeoutException as exc:
            raise APITimeoutError(
                "The Digital Audience login did not answer in time", method="POST", path=LOGIN_PATH, reached_server=None
            ) from exc
        except httpx2.TransportError as exc:
            raise APIConnectionError(
                f"Could not reach the Digital Audience login ({type(exc).__name__})",
                method="POST",
                path=LOGIN_PATH,
                reached_server=None,
            ) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise classify(response)  # the service failed, not the credentials: not an auth error
        body = json_body(response)
        failed, code, message = wrapper_status(body)
        cookie = response.cookies.get(SESSION_COOKIE)
        if response.is_error or failed or not cookie or not (isinstance(body, dict) and body.get("data")):
            reason = message or (f"HTTP {response.status_code}" if response.is_error else "no session cookie")
            raise AuthenticationError(
                f"Digital Audience refused the login: {reason}",
                **{**response_fields(response, code=str(code) if code is not None else None, body=None), "status": 401},
            )
        self._register_secret([cookie])
        logger.info("Logged in to Digital Audience")
        return cookie


def _with_cookie(request: httpx2.Request, cookie: str) -> None:
    # Set, not merged: the client's cookie jar may still hold an expired session.
    request.headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
