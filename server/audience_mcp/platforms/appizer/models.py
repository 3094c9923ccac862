"""Appizer's wire format (the "create audience" page and FACTS.md), read tolerantly.

Every model keeps fields it does not know (`extra="allow"`): the list shape and the error codes
are from the vendor's docs, but other fields (a `criteria` on list items, say) may come too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The documented page size bounds of GET /audiences.
MAX_LIMIT = 100
DEFAULT_LIMIT = 50


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def unmodeled_fields(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class AudienceSummary(_Tolerant):
    """One item of `GET /audiences`."""

    audience_id: str
    name: str | None = None
    description: str | None = None
    user_count: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    # Not in the documented list; read when an API (or the sandbox) sends it.
    criteria: str | None = None


class Pagination(_Tolerant):
    total: int | None = None
    limit: int | None = None
    offset: int | None = None
    has_more: bool | None = None


class AudiencePage(_Tolerant):
    success: bool | None = None
    audiences: list[AudienceSummary] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)

    def more_after(self, offset: int) -> bool:
        """Whether another page follows; `has_more` if given, else from the total, else a full page."""
        if self.pagination.has_more is not None:
            return self.pagination.has_more
        if self.pagination.total is not None:
            return offset + len(self.audiences) < self.pagination.total
        return bool(self.audiences) and len(self.audiences) >= (self.pagination.limit or DEFAULT_LIMIT)


class CreateAudienceRequest(BaseModel):
    """The body of `POST /audiences`; description is left out when not given."""

    app_id: str
    name: str
    criteria: str
    description: str | None = None

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CreatedAudience(_Tolerant):
    """The answer of `POST /audiences`."""

    success: bool | None = None
    audience_id: str
    name: str | None = None
    user_count: int | None = None
    created_at: str | None = None
    message: str | None = None
    # Sandbox only (the real API may say it in `message`): criteria terms no user field matches.
    unknown_fields: list[str] | None = None
