"""Where tool parameters meet neuroflash's wire names, and the tolerant reader of raw list pages.

The tools speak parameter names (`min_age`, `pain_points`); the API speaks camelCase
(`minAge`, `painPoints`). The one table between the two is derived from the models' aliases,
so a field added to `AudienceProfile` is known to the tools, their error messages and the
audit at once, and no tool spells a wire name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from audience_mcp.platforms.neuroflash.client import ResponseFormatError
from audience_mcp.platforms.neuroflash.models import (
    AudienceProfile,
    DuplicationRequest,
    ImageUpload,
    PageInfo,
    UrlImportRequest,
)


def _aliases(model: type[BaseModel]) -> dict[str, str]:
    return {name: info.alias or name for name, info in model.model_fields.items()}


# Tool parameter -> API field, for the profile fields a model may set (in the model's order).
API_FIELDS: dict[str, str] = _aliases(AudienceProfile)

# Other request fields the API may name in a validation error, by the tool parameter that fills
# them; the image tools take the bytes as `image_base64`, not `base64`.
_REQUEST_FIELDS: dict[str, str] = {
    **_aliases(DuplicationRequest),
    **_aliases(UrlImportRequest),
    **{("image_base64" if name == "base64" else name): alias for name, alias in _aliases(ImageUpload).items()},
}

# API field -> tool parameter: the profile's (how a change is named) and every request field
# (how an API validation error's field is told to the model).
PROFILE_PARAMS: dict[str, str] = {api: param for param, api in API_FIELDS.items()}
PARAM_NAMES: dict[str, str] = {api: param for param, api in _REQUEST_FIELDS.items()} | PROFILE_PARAMS


def profile_param(api_field: str) -> str:
    """The tool parameter of a profile field; an unknown field keeps its wire name."""
    return PROFILE_PARAMS.get(api_field, api_field)


def profile_params(body: Mapping[str, Any]) -> dict[str, Any]:
    """A profile body by tool parameter (None for what it lacks); unknown fields are left out."""
    return {param: body.get(api_field) for param, api_field in API_FIELDS.items()}


@dataclass(frozen=True)
class RawPage:
    """One audience list page as parsed JSON: dicts with fractions as Decimal, nothing validated.

    The audit reads data other clients wrote: one audience with garbled fields (what an audit
    looks for) must not make the whole page unreadable, as model validation would.
    """

    audiences: list[dict[str, Any]]
    total_pages: int

    @classmethod
    def read(cls, body: Any, page: int) -> RawPage:
        """The page `page` of a list response; raises ResponseFormatError without a data array."""
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise ResponseFormatError("the audience list has no data array")
        info = body.get("page")
        info = info if isinstance(info, dict) else {}
        return cls([item for item in data if isinstance(item, dict)], _total_pages(info, page))


_PAGE = _aliases(PageInfo)


def _total_pages(info: dict[str, Any], page: int) -> int:
    total_pages = info.get(_PAGE["total_pages"])
    total, size = info.get(_PAGE["total_elements"]), info.get(_PAGE["size"])
    if isinstance(total_pages, int) and not isinstance(total_pages, bool):
        return total_pages
    if isinstance(total, int) and isinstance(size, int) and size > 0:
        return math.ceil(total / size)
    return page  # no paging information: this page is all there is


__all__ = ["API_FIELDS", "PARAM_NAMES", "PROFILE_PARAMS", "RawPage", "profile_param", "profile_params"]
