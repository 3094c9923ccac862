"""Every tool call checks the caller's scopes first, then runs as that caller.

`ScopedTool` is the project's tool (`ArgumentCheckedTool`: the SDK's `Tool` with arguments
checked in our voice) with one step before its `run`: the scopes the tool's
annotations demand (core/auth/scopes.py) are compared with the caller's, and a call without
them is refused with a ToolError naming the missing scope. The check sits in `run`, before the
SDK's resolvers, so a caller without `audiences:delete` is never asked to confirm a delete
that would then be refused. Then the server's state (its store and platform clients) is opened
if this is the server's first call (core/platform.py). The caller (core/auth/caller.py) comes
from the SDK's auth context: no token (stdio, or --no-auth) is "local" with every scope; the
HTTP gate puts an AccessToken there for the static bearer token and for OAuth tokens. Tools stay
listed for every caller.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from audience_mcp.core.auth.caller import LOCAL_CALLER, Caller, acting_as, actor_name
from audience_mcp.core.auth.scopes import missing_scopes, refusal, scopes_for
from audience_mcp.core.mcp.arguments import ArgumentCheckedTool
from audience_mcp.core.platform import ServerState

if TYPE_CHECKING:
    from mcp.server.mcpserver.context import Context

logger = logging.getLogger(__name__)
MAX_REASON = 400  # the reason quotes an exception's text: short, and never a whole traceback


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
        await _server_state_ready(self.name, context)
        with acting_as(caller):
            return await super().run(arguments, context, convert_result=convert_result)


async def _server_state_ready(tool: str, context: Context[Any, Any]) -> None:
    """Open the server's state store and platform clients if this is the first call (core/platform.py).

    Whatever stops them from opening is this call's ToolError (the next call tries again): raised
    here, outside the SDK's Tool.run, any other exception's text would reach the client as it is.
    """
    state = context.request_context.lifespan_context
    if not isinstance(state, ServerState):
        return  # a server built without create_server (a test's MCPServer): nothing to open
    try:
        await state.ready()
    except Exception as exc:
        import sqlite3

        from audience_mcp.core.mcp.results import without_lone_surrogates
        from audience_mcp.core.secrets import redactor
        from audience_mcp.core.store.database import state_store_problem

        problem = state_store_problem(exc)
        if problem is not None:
            reason = str(problem)
        elif isinstance(exc, OSError | sqlite3.Error):  # a state or sandbox file that cannot be opened
            reason = f"Could not open this server's files ({type(exc).__name__}: {exc})."
        else:  # a platform that cannot start (its settings), a state file from a newer server, ...
            reason = f"Could not open this server's state ({type(exc).__name__}: {exc})."
        logger.warning("Opening the server's state failed; the next tool call tries again", exc_info=True)
        reason = redactor.redact(without_lone_surrogates(reason[:MAX_REASON]))
        raise ToolError(
            f"Error executing tool {tool}: {reason} Nothing was done. Tell the user: `audience-mcp check` "
            "shows what is wrong with the settings (AUDIENCE_MCP_STATE_DB, AUDIENCE_MCP_SANDBOX_DB, a "
            "platform's credentials)."
        ) from None


def scoped(tool: ArgumentCheckedTool) -> ScopedTool:
    """`tool` as a ScopedTool needing the scopes its annotations call for."""
    return ScopedTool(**dict(tool), required_scopes=scopes_for(tool.annotations))
