"""The typed Digital Audience client: one method per documented endpoint, one reader of the wrapper.

Every answer is `{data, status{statusCode, message}, success}`; `_data` is the one place that
unwraps it and turns a wrapped failure into an error, whatever the HTTP status. The login is
the cookie-session `httpx2.Auth` flow (auth.py). Paths are relative to DIGITAL_AUDIENCE_API_URL.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import anyio
import httpx2
from pydantic import SecretStr, ValidationError

from audience_mcp.core.http import wire
from audience_mcp.core.http.deadline import DEFAULT_CALL_DEADLINE_SECONDS
from audience_mcp.core.http.errors import APIError, UnsendableRequestError
from audience_mcp.core.http.lazy import LazyHttpClient
from audience_mcp.core.http.paths import path_segment
from audience_mcp.core.http.requester import ApiRequester, RetryPolicy, Sleep
from audience_mcp.core.secrets import redactor
from audience_mcp.platforms.digital_audience.auth import CookieSessionAuth
from audience_mcp.platforms.digital_audience.errors import classify, wrapper_status
from audience_mcp.platforms.digital_audience.models import (
    Activation,
    ActivationRequest,
    Audience,
    Campaign,
    PlatformAccount,
)

# The heading's path. One curl example of the same document calls
# `/audience/create/api/audience/createcrmaudience`, which looks like a base URL pasted twice.
CREATE_AUDIENCE_PATH = "/audience/createcrmaudience"
# FACTS.md: the use case says /campaign/createcampaign, a heading /campaign/create.
CREATE_CAMPAIGN_PATH = "/campaign/createcampaign"
UPDATE_AUDIENCE_PATH = "/audience/update"
LOAD_AUDIENCE_PATH = "/audience/loadaudiencebyid/{id}"
DELETE_AUDIENCE_PATH = "/audience/delete"
ACTIVATE_AUDIENCE_PATH = "/audience/activate"
PLATFORM_ACCOUNTS_PATH = "/organisation/loadplatformaccounts"

# Any field whose name says it holds a credential never leaves the client (accessToken first).
_SECRET_WORDS = ("token", "secret", "password")
MAX_ID = 2**63 - 1


class ResponseFormatError(APIError):
    """The API answered success with a body this client cannot read."""


def path_id(value: object, what: str = "id") -> str:
    """The ONE check of every id that goes into a URL path or query: a positive integer.

    Digital Audience ids are integers, so anything else is refused before a request is built;
    the digits then pass core's path-segment rule too (core/http/paths), like every platform's ids.
    """
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 19:
        number = int(value.strip())
    if number is None or not 0 < number <= MAX_ID:
        raise UnsendableRequestError(f"{what} must be a positive whole number, e.g. 69249; nothing was sent.")
    return path_segment(str(number), what=what)


def without_secrets(value: Any, found: list[str]) -> Any:
    """`value` with every field named like a credential removed (at any depth); their values in `found`."""
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if any(word in str(key).lower() for word in _SECRET_WORDS):
                if isinstance(item, str) and item:
                    found.append(item)
                continue
            kept[key] = without_secrets(item, found)
        return kept
    if isinstance(value, list):
        return [without_secrets(item, found) for item in value]
    return value


class DigitalAudienceClient:
    """Async client of the Digital Audience Audience, Campaign and Organisation APIs."""

    def __init__(self, requester: ApiRequester, http: httpx2.AsyncClient | LazyHttpClient) -> None:
        self._requester = requester
        self._http = http

    @classmethod
    def connect(
        cls,
        *,
        api_url: str,
        username: str,
        password: SecretStr,
        timeout_seconds: float = 30.0,
        call_deadline_seconds: float = DEFAULT_CALL_DEADLINE_SECONDS,
        network: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        rng: random.Random | None = None,
    ) -> DigitalAudienceClient:
        http = LazyHttpClient.for_api(timeout_seconds=timeout_seconds, network=network, max_connections=50)
        auth = CookieSessionAuth(base_url=api_url, username=username, password=password, http=http)
        requester = ApiRequester(
            base_url=api_url,
            http=http,
            auth=auth,
            service_name="the Digital Audience API",
            classify=classify,
            retry=retry,
            sleep=sleep,
            rng=rng,
            call_deadline=call_deadline_seconds,
        )
        return cls(requester, http)

    @property
    def auth(self) -> CookieSessionAuth:
        auth = self._requester.auth
        assert isinstance(auth, CookieSessionAuth)
        return auth

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _data(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, str | int] | None = None
    ) -> Any:
        """Send, unwrap `{data, status, success}` and return `data`; a wrapped failure raises."""
        response = await self._requester.request(method, path, json=json, params=params)
        try:
            body = wire.loads(response.content) if response.content else None
        except ValueError as exc:
            raise ResponseFormatError(f"{method} {path} answered with a body that is not JSON") from exc
        failed, _, _ = wrapper_status(body)
        if failed:
            raise classify(response)
        # Tolerant: an answer without the wrapper is taken as the data itself.
        if isinstance(body, dict) and "data" in body and ("success" in body or "status" in body):
            return body["data"]
        return body

    @staticmethod
    def _parse(model: type[Any], data: Any, what: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ResponseFormatError(f"Unexpected {what} from Digital Audience: {exc.error_count()} problems") from exc

    # -- campaigns ----------------------------------------------------------------------------

    async def create_campaign(self, name: str) -> Campaign:
        data = await self._data("POST", CREATE_CAMPAIGN_PATH, json={"name": name})
        # The answer's shape is unconfirmed: a campaign object, or just its id.
        if isinstance(data, int) and not isinstance(data, bool):
            data = {"id": data, "name": name}
        campaign: Campaign = self._parse(Campaign, data, "campaign")
        return campaign

    # -- audiences ----------------------------------------------------------------------------

    async def create_audience(self, name: str, campaign_id: int, description: str | None = None) -> Audience:
        # campaignId is a number in the curl example and a quoted string in the body example: a number.
        body: dict[str, Any] = {"name": name, "campaignId": int(path_id(campaign_id, "campaign_id"))}
        if description is not None:
            body["description"] = description
        data = await self._data("POST", CREATE_AUDIENCE_PATH, json=body)
        audience: Audience = self._parse(Audience, data, "audience")
        return audience

    async def get_audience(self, audience_id: int | str) -> Audience:
        data = await self._data("GET", LOAD_AUDIENCE_PATH.format(id=path_id(audience_id, "audience_id")))
        audience: Audience = self._parse(Audience, data, "audience")
        return audience

    async def update_audience(self, audience_id: int | str, name: str, description: str | None) -> Audience | None:
        """Send every writable field (`id, name, description`): an omitted description may be cleared.

        The answer is undocumented: the audience when it carries one, else None (reload it).
        """
        body = {"id": int(path_id(audience_id, "audience_id")), "name": name, "description": description}
        data = await self._data("POST", UPDATE_AUDIENCE_PATH, json=body)
        if isinstance(data, dict) and "id" in data:
            audience: Audience = self._parse(Audience, data, "audience")
            return audience
        return None

    async def delete_audience(self, audience_id: int | str) -> None:
        # The request shape is undocumented: the id goes as query parameter `id` AND as JSON body
        # `{"id": N}`, so whichever the API reads, it finds it (the sandbox accepts either).
        number = int(path_id(audience_id, "audience_id"))
        data = await self._data("DELETE", DELETE_AUDIENCE_PATH, json={"id": number}, params={"id": number})
        if data is False:
            raise ResponseFormatError(f"Digital Audience answered that audience {number} was not deleted")

    async def activate_audience(self, request: ActivationRequest) -> Activation:
        path_id(request.audience_id, "audience_id")
        path_id(request.account_id, "account_id")
        data = await self._data("POST", ACTIVATE_AUDIENCE_PATH, json=request.to_body())
        activation: Activation = self._parse(Activation, data if isinstance(data, dict) else {}, "activation")
        return activation

    # -- organisation -------------------------------------------------------------------------

    async def list_platform_accounts(self) -> list[PlatformAccount]:
        """The ad-platform accounts, with `accessToken` and every secret-named field dropped here."""
        data = await self._data("GET", PLATFORM_ACCOUNTS_PATH)
        found: list[str] = []
        clean = without_secrets(data, found)
        redactor.add(found)  # never logged, even if an error text should carry one
        items = clean if isinstance(clean, list) else _first_list(clean)
        return [self._parse(PlatformAccount, item, "platform account") for item in items]


def _first_list(data: Any) -> list[Any]:
    # Tolerant reader: a list under some key of an object, if the data is not the list itself.
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list):
                return value
    return []
