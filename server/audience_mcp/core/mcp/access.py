"""Every tool call checks the caller's scopes first, then runs as that caller.

`ScopedTool` is the project's tool (`ArgumentCheckedTool`: the SDK's `Tool` with arguments
checked in our voice) with one step before its `run`: the scopes the tool's
annotations demand (core/auth/scopes.py) are compared with the caller's, and a call without
them is refused with a ToolError naming the missing scope. The check sits in `run`, before the
SDK's resolvers, so a caller without `audiences:delete` is never asked to confirm a delete
that would then be refused. The caller (core/auth/caller.py) comes from the SDK's auth context:
no token (stdio, or --no-auth) is "local" with every scope; the HTTP gate puts an AccessToken
there for the static bearer token and for OAuth tokens. Tools stay listed for every caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from audience_mcp.core.auth.caller import LOCAL_CALLER, Caller, acting_as, actor_name
from audience_mcp.core.auth.scopes import missing_scopes, refusal, scopes_for
from audience_mcp.core.mcp.arguments import ArgumentCheckedTool

if TYPE_CHECKING:
    from mcp.server.mcpserver.context import Context


def caller_of(token: AccessToken | None) -> Caller:
    if token is None:
        return LOCAL_CALLER
    return Caller(actor_name(token.subject, token.client_id), frozenset(token.scopes))


class ScopedTool(ArgumentCheckedTool):
    """A tool that refuses callers without its scopes and journals who called it."""

    required_scopes: tuple[str, ...] = ()

    async def run(self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False) -> Any:
        caller = caller_of(get_access_token())
        missing = missing_scopes(self.required_scopes, caller.scopes)
        if missing:
            # Worded like the SDK's own tool errors, which Tool.run would have prefixed.
            raise ToolError(f"Error executing tool {self.name}: {refusal(self.name, missing, caller.scopes)}")
        with acting_as(caller):
            return await super().run(arguments, context, convert_result=convert_result)


def scoped(tool: ArgumentCheckedTool) -> ScopedTool:
    """`tool` as a ScopedTool needing the scopes its annotations call for."""
    return ScopedTool(**dict(tool), required_scopes=scopes_for(tool.annotations))
