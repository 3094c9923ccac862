"""The shared bearer token (AUDIENCE_MCP_TOKEN) as a TokenVerifier: compared in constant time,
its callers are "static-token" and hold every scope (whoever has it administers the server)."""

from __future__ import annotations

import hmac

from mcp.server.auth.provider import AccessToken

from audience_mcp.core.auth.caller import STATIC_TOKEN
from audience_mcp.core.auth.scopes import ALL_SCOPES


class StaticTokenVerifier:
    def __init__(self, token: str) -> None:
        self._expected = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if not hmac.compare_digest(token.encode(), self._expected):
            return None
        return AccessToken(token=token, client_id=STATIC_TOKEN, scopes=list(ALL_SCOPES))
