"""The OAuth2 token endpoint (client credentials) and bearer-token checks for ``/api``.

Like a standard OAuth server, the endpoint takes a form-encoded body and accepts the client
credentials either in the body (``client_secret_post``, as the neuroflash guide does) or as
HTTP Basic auth (``client_secret_basic``). The grant type is checked before the client, so a
request with neither right gets ``unsupported_grant_type``. Error bodies follow RFC 6749
(``error`` / ``error_description``), unlike the API's ``{"error", "code"}`` errors.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import cast
from urllib.parse import parse_qs, unquote_plus

from starlette.requests import Request
from starlette.responses import Response

from audience_mcp.core.sandboxkit.jsonio import JsonResponse
from audience_mcp.platforms.neuroflash.sandbox.accounts import Account, TokenState
from audience_mcp.platforms.neuroflash.sandbox.errors import unauthorized
from audience_mcp.platforms.neuroflash.sandbox.service import Sandbox

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def sandbox_of(request: Request) -> Sandbox:
    return cast(Sandbox, request.app.state.sandbox)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
    return unquote_plus(client_id), unquote_plus(secret)


def _oauth_error(status: int, error: str, description: str) -> Response:
    headers = dict(_NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
    return JsonResponse({"error": error, "error_description": description}, status, headers)


async def token_endpoint(request: Request) -> Response:
    sandbox = sandbox_of(request)
    raw = await request.body()
    try:
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        form = {}

    def field(name: str) -> str | None:
        values = form.get(name)
        return values[0] if values else None

    grant_type = field("grant_type")
    if grant_type is None:
        return _oauth_error(400, "invalid_request", "Missing grant_type")
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", f"Grant type {grant_type!r} is not supported")

    credentials = _basic_credentials(request.headers.get("authorization"))
    if credentials is None:
        client_id, secret = field("client_id"), field("client_secret")
    else:
        client_id, secret = credentials
    account = sandbox.account_by_client_id(client_id) if client_id else None
    if (
        account is None
        or secret is None
        or not hmac.compare_digest(secret.encode("utf-8"), account.client_secret.encode("utf-8"))
    ):
        return _oauth_error(401, "invalid_client", "Client authentication failed")

    token = sandbox.tokens.issue(account)
    lifetime = sandbox.tokens.lifetime_seconds
    return JsonResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(lifetime) if float(lifetime).is_integer() else lifetime,
            "scope": "openid",
        },
        200,
        _NO_STORE,
    )


def authenticate(request: Request) -> Account:
    """The account behind the request's bearer token, or a 401 ``UNAUTHORIZED``."""
    header = request.headers.get("authorization")
    if not header:
        raise unauthorized("Missing bearer token")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("Authorization header must be 'Bearer <token>'")
    state, account = sandbox_of(request).tokens.resolve(token)
    if state == TokenState.EXPIRED:
        raise unauthorized("Access token expired")
    if account is None:
        raise unauthorized("Invalid access token")
    return account
