"""neuroflash_bootstrap_audience_from_url: a prepared profile from web pages, optionally created.

The URL import returns a profile, not a saved audience (no id). The server normalizes it
like any model input (the import may return shares that do not sum to 1, or language
names), applies `overrides` on top, and creates it only when `create=true`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from audience_mcp.core.store.writes import journaled_write
from audience_mcp.platforms.neuroflash.fields import API_FIELDS, profile_params
from audience_mcp.platforms.neuroflash.tools.errors import api_errors, tool_error
from audience_mcp.platforms.neuroflash.tools.journaling import audience_key
from audience_mcp.platforms.neuroflash.tools.profiles import build_profile, profile_from_body
from audience_mcp.platforms.neuroflash.tools.state import app_state
from audience_mcp.platforms.neuroflash.tools.views import AudienceView, audience_view

MAX_URLS = 10
_BOOL = TypeAdapter(bool)
_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")


class BootstrapResult(BaseModel):
    profile: dict[str, Any] = Field(description="neuroflash_create_audience arguments, ready to pass on")
    created: bool
    audience: AudienceView | None = None
    adjustments: list[str]
    change_id: int | None = Field(default=None, description="Journal entry; restore_change can undo it")


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


async def neuroflash_bootstrap_audience_from_url(
    ctx: Context,
    urls: Annotated[list[str] | str, Field(description="Brand or product website URLs")],
    audience_model_id: Annotated[str | None, Field(description="Defaults to the configured model")] = None,
    create: Annotated[bool, Field(description="Also create it")] = False,
    overrides: Annotated[dict[str, Any] | None, Field(description="Create fields to set first")] = None,
    workspace_id: str | None = None,
) -> BootstrapResult:
    """Draft neuroflash_create_audience arguments from website URLs (slow); create=true also creates it."""
    state = app_state(ctx)
    if create and state.settings.server.read_only:
        # Refuse before the import, which can take half a minute, not after it.
        raise tool_error("The server is read-only; creating is disabled. Use create=false.")
    cleaned = _clean_urls(urls)
    unknown = sorted(set(overrides or {}) - set(API_FIELDS))
    if unknown:
        raise tool_error(f"Unknown overrides: {', '.join(unknown)}. Allowed: {', '.join(API_FIELDS)}.")
    if overrides and overrides.get("shared") is not None:
        # bool("false") is True: read the flag like neuroflash_create_audience's `shared: bool` does.
        try:
            overrides = {**overrides, "shared": _BOOL.validate_python(overrides["shared"])}
        except ValidationError:
            raise tool_error(f"overrides.shared must be true or false, not {overrides['shared']!r}.") from None
    ws = await state.workspace_id(workspace_id)
    with api_errors("import from the URLs"):
        imported = await state.client.import_from_urls(
            ws, cleaned, audience_model_id or state.settings.neuroflash.audience_model_id
        )
    args = profile_params(imported.to_body())
    args.update(overrides or {})
    args["shared"] = bool(args.get("shared") or False)
    with api_errors("prepare the imported profile"):
        draft = build_profile(**args)
    profile = profile_params(draft.body)
    if not create:
        return BootstrapResult(profile=profile, created=False, adjustments=draft.adjustments)
    written = await journaled_write(
        state.journal,
        audience_key(ws, None),
        state.client.create_audience(ws, profile_from_body(draft.body)),
        tool="neuroflash_bootstrap_audience_from_url",
        action="create",
        request=draft.body,
        new_id=lambda created: created.id,
        errors=api_errors("create the audience", writes=True),
    )
    audience = written.result
    return BootstrapResult(
        profile=profile,
        created=True,
        audience=audience_view(audience, "detailed"),
        adjustments=draft.adjustments,
        change_id=written.change_id,
    )
