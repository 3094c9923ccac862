"""neuroflash_draft_audience_from_url: neuroflash_create_audience's arguments drafted from web pages.

The URL import returns a profile, not a saved audience (no id). The server normalizes it like
any model input (the import may return shares that do not sum to 1, or language names) and
hands back exactly the create tool's arguments: the model shows them, the user changes what
they like, and a second call (neuroflash_create_audience) passes them on. The tool itself
writes nothing, so it is annotated read-only and no host asks to approve a preview.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from audience_mcp.platforms.neuroflash.fields import profile_params
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.profiles import build_profile
from audience_mcp.platforms.neuroflash.tools.state import app_state

MAX_URLS = 10
# The sandbox invents drafts from the URL's words; a user must not take them for the website's.
SANDBOX_NOTE = "made up: the built-in sandbox invented this draft from the URL's words; it read no website."
_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")


class CreateArguments(BaseModel):
    """neuroflash_create_audience's arguments, by its parameter names."""

    name: str
    min_age: int
    max_age: int
    residence: str
    gender_distribution: dict[str, float]
    interests: list[str]
    needs: list[str]
    pain_points: list[str]
    country: str | None = None
    native_language: str | None = None
    shared: bool = False


class DraftResult(BaseModel):
    arguments: CreateArguments = Field(description="Pass on to create, changed or not")
    adjustments: list[str]


def _clean_urls(urls: list[str] | str) -> list[str]:
    items = [u.strip() for u in (urls.replace(";", ",").split(",") if isinstance(urls, str) else urls)]
    items = [u for u in items if u]
    if not items:
        raise tool_error("Pass at least one URL, e.g. urls=['https://example.com'].")
    if len(items) > MAX_URLS:
        raise tool_error(f"At most {MAX_URLS} URLs per import.")
    cleaned = []
    for url in items:
        if "://" not in url:
            # Another scheme ("mailto:a@b.com", "javascript:...") must not become https://mailto:a@b.com;
            # a colon followed by a digit is a port ("example.com:8080"), not a scheme.
            if _OTHER_SCHEME.match(url):
                raise tool_error(f"'{url}' is not a web address; send http(s) URLs such as https://example.com.")
            url = f"https://{url}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise tool_error(f"'{url}' is not a web address; send http(s) URLs such as https://example.com.")
        cleaned.append(url)
    return list(dict.fromkeys(cleaned))


async def neuroflash_draft_audience_from_url(
    ctx: Context,
    urls: Annotated[list[str] | str, Field(description="Brand or product website URLs")],
    audience_model_id: Annotated[str | None, Field(description="Defaults to the configured model")] = None,
    workspace_id: str | None = None,
) -> DraftResult:
    """Draft a target audience from website URLs (slow; writes nothing). `arguments` are the create
    tool's parameters: show them, then pass them on, changed or not."""
    state = app_state(ctx)
    cleaned = _clean_urls(urls)
    ws = await state.workspace_id(workspace_id)
    with api_errors("import from the URLs"):
        imported = await state.client.import_from_urls(
            ws, cleaned, audience_model_id or state.settings.neuroflash.audience_model_id
        )
    args = profile_params(imported.to_body())
    args["shared"] = args.get("shared") is True
    with api_errors("prepare the imported profile"):
        draft = build_profile(**args)
    notes = [SANDBOX_NOTE] if state.settings.server.sandbox else []
    return DraftResult(
        arguments=CreateArguments.model_validate(profile_params(draft.body)), adjustments=[*notes, *draft.adjustments]
    )
