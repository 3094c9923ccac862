"""What the tools return: compact, typed views of audiences and platform accounts.

Concise: state, activation and window, size and the latest upload's match rates. Detailed adds
the CRM history (one entry per upload with its counts per data type).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from audience_mcp.platforms.digital_audience.models import Audience, PlatformAccount

ResponseFormat = Literal["concise", "detailed"]


class Upload(BaseModel):
    date: str
    mode: str | None
    total_rows: int | None
    match_rates: dict[str, float] | None
    counts: dict[str, dict[str, Any]] | None = Field(description="Per data type: TOTAL, UNIQUE, MATCH, UMATCH, NOMATCH")


class AudienceView(BaseModel):
    id: int
    name: str | None
    description: str | None
    campaign_id: int | None
    campaign_name: str | None
    state: str | None = Field(description="NODATA, PROCESSING or READY")
    insights: str | None = Field(description="PENDING or READY")
    activation: str | None
    start_date: str | None
    end_date: str | None
    size: int | None = Field(description="CRM rows uploaded")
    match_rates: dict[str, float] | None = Field(description="Latest upload, 0-1 per data type")
    updated: str | None
    uploads: list[Upload] | None = Field(default=None, description="detailed only: the CRM history")


class AccountView(BaseModel):
    id: int
    name: str | None
    platform: str | None
    advertiser_id: str | None
    agency: str | None


def audience_view(audience: Audience, response_format: ResponseFormat = "concise") -> AudienceView:
    crm = audience.crm_data
    latest = crm.latest_upload() if crm is not None else None
    uploads: list[Upload] | None = None
    if response_format == "detailed":
        history = crm.history.history if crm is not None and crm.history is not None else None
        uploads = [
            Upload(
                date=date,
                mode=entry.mode,
                total_rows=entry.total_rows,
                match_rates=entry.match_rates,
                counts=entry.data_set,
            )
            for date, entry in sorted((history or {}).items())
        ]
    return AudienceView(
        id=audience.id,
        name=audience.name,
        description=audience.description,
        campaign_id=audience.campaign_id,
        campaign_name=audience.campaign_name,
        state=audience.audience_state,
        insights=crm.insights_state if crm is not None else None,
        activation=audience.activation_status,
        start_date=audience.start_date,
        end_date=audience.end_date,
        size=crm.size if crm is not None else None,
        match_rates=latest.match_rates if latest is not None else None,
        updated=audience.updated,
        uploads=uploads,
    )


def account_view(account: PlatformAccount) -> AccountView:
    advertiser = account.advertiser_id
    return AccountView(
        id=account.id,
        name=account.name,
        platform=account.platform_display_name or account.platform_name,
        advertiser_id=str(advertiser) if advertiser is not None else None,
        agency=account.agency_name,
    )
