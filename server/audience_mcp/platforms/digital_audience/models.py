"""Pydantic models of the Digital Audience wire format (the Audience API file and FACTS.md).

Every model keeps unknown fields (`extra="allow"`): the documents are incomplete, and an update
is built from what was read. Response fields are optional, as nothing but the examples says
which are always there.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel)

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_unset=True)


class UploadHistory(WireModel):
    """One CRM upload: counts per data type (EMAIL, PHONE...) and match rates (0.0-1.0)."""

    audience_id: int | None = None
    mode: str | None = None
    total_rows: int | None = None
    created: str | None = None
    # The seed nests these under `history.dataSet` / `history.matchRates`; keys are data types.
    data_set: dict[str, dict[str, Any]] | None = None
    match_rates: dict[str, float] | None = None


class CrmHistory(WireModel):
    total_events: int | None = None
    # Upload date -> that upload (the seed: `history.history[date]`).
    history: dict[str, UploadHistory] | None = None


class CrmData(WireModel):
    insights_state: str | None = None
    insights_state_id: int | None = None
    size: int | None = None
    history: CrmHistory | None = None

    def latest_upload(self) -> UploadHistory | None:
        uploads = self.history.history if self.history is not None and self.history.history else {}
        return uploads[max(uploads)] if uploads else None


class Audience(WireModel):
    id: int
    name: str | None = None
    description: str | None = None
    user_id: int | None = None
    campaign_id: int | None = None
    campaign_name: str | None = None
    created: str | None = None
    updated: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    data_updated: str | None = None
    activation_status: str | None = None
    activation_status_id: int | None = None
    lifetime_status: str | None = None
    lifetime_status_id: int | None = None
    audience_state: str | None = None
    audience_state_id: int | None = None
    type: str | None = None
    type_id: int | None = None
    source_audience_id: int | None = None
    source_audience_type_id: int | None = None
    can_create_lookalike: bool | None = None
    has_segments: bool | None = None
    tag_collection: Any = None
    crm_data: CrmData | None = None


class Campaign(WireModel):
    """The create-campaign answer's shape is unconfirmed: an object with an id, or the id itself."""

    id: int
    name: str | None = None


class PlatformAccount(WireModel):
    """An ad-platform account; the client drops its access token (and any secret-named field)."""

    id: int
    name: str | None = None
    platform_id: int | None = None
    platform_name: str | None = None
    platform_display_name: str | None = None
    agency_id: int | None = None
    agency_name: str | None = None
    account_type_id: int | None = None
    account_type_name: str | None = None
    advertiser_id: str | int | None = None
    client_id: str | int | None = None
    created: str | None = None
    updated: str | None = None


class ActivationRequest(WireModel):
    audience_id: int
    account_id: int
    name: str
    description: str
    start_date: str = Field(description="ISO 8601 UTC")
    end_date: str = Field(description="ISO 8601 UTC")


class Activation(WireModel):
    flow_id: str | None = None
    segment_id: int | str | None = None
