"""What the tools return: compact, typed views of audiences for the model.

Concise views carry what a model needs to pick or describe an audience (ids, ages, place,
language, gender shares, the interests/needs/pain points and their counts, when it changed);
detailed views add the metadata. One model serves both, with the metadata left out (null) in
the concise form, so every tool shares one output schema for an audience.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from audience_mcp.core.http.wire import plain
from audience_mcp.platforms.neuroflash.api import Audience, AudienceImage, AudienceProfile
from audience_mcp.platforms.neuroflash.fields import profile_param
from audience_mcp.platforms.neuroflash.gender import GENDER_KEYS

ResponseFormat = Literal["concise", "detailed"]


class AudienceView(BaseModel):
    id: str
    name: str | None
    min_age: int | None
    max_age: int | None
    residence: str | None
    country: str | None
    native_language: str | None
    gender_distribution: dict[str, float | None] | None = Field(
        description="Shares as fractions: female, male, nonBinary, preferNotToSay"
    )
    interests_count: int
    needs_count: int
    pain_points_count: int
    shared: bool | None
    updated_at: str | None
    interests: list[str] | None = None
    needs: list[str] | None = None
    pain_points: list[str] | None = None
    created_at: str | None = None
    viewed_at: str | None = None
    created_by_user_id: str | None = None
    image_url: str | None = None
    can_update: bool | None = None
    can_delete: bool | None = None
    other_fields: dict[str, Any] | None = Field(default=None, description="Fields this server does not model")

    @model_serializer(mode="wrap")
    def _omit_unread_details(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A concise view leaves the details out rather than showing them as null, which a model
        # could read as "none" (no image, no creator).
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if not (k in DETAIL_FIELDS and v is None)}


DETAIL_FIELDS = frozenset(name for name, info in AudienceView.model_fields.items() if not info.is_required())


def gender_dict(profile: AudienceProfile) -> dict[str, float | None] | None:
    shares = profile.gender_distribution
    if shares is None:
        return None
    values = shares.to_body()
    return {
        str(k): (float(v) if isinstance(v, int | float | Decimal) and not isinstance(v, bool) else None)
        for k, v in values.items()
    }


def audience_view(audience: Audience, response_format: ResponseFormat = "concise") -> AudienceView:
    view = AudienceView(
        id=audience.id,
        name=audience.name,
        min_age=audience.min_age,
        max_age=audience.max_age,
        residence=audience.residence,
        country=audience.country,
        native_language=audience.native_language,
        gender_distribution=gender_dict(audience),
        interests_count=len(audience.interests or []),
        needs_count=len(audience.needs or []),
        pain_points_count=len(audience.pain_points or []),
        shared=audience.shared,
        updated_at=audience.updated_at,
        # The lists are what a user asks about ("which interests?"): the concise view has them too.
        interests=list(audience.interests or []),
        needs=list(audience.needs or []),
        pain_points=list(audience.pain_points or []),
    )
    if response_format == "detailed":
        permissions = audience.embedded.permissions if audience.embedded else None
        image = audience.image
        view.created_at = audience.created_at
        view.viewed_at = audience.viewed_at
        view.created_by_user_id = audience.created_by_user_id
        view.image_url = image.url if image else None
        view.can_update = permissions.can_update if permissions else None
        view.can_delete = permissions.can_delete if permissions else None
        view.other_fields = plain(audience.unmodeled_fields()) or None
    return view


def by_parameter(body: dict[str, Any]) -> dict[str, Any]:
    """A request body as the model would write it: tool parameter names (`min_age`), not wire names.

    A dry-run preview in wire names invited the model to copy `minAge` into its next call.
    Fields the tools do not model keep their wire name.
    """
    return {profile_param(key): plain(value) for key, value in body.items()}


class ImageView(BaseModel):
    id: str | None
    file_name: str | None
    url: str | None
    updated_at: str | None


def image_view(image: AudienceImage) -> ImageView:
    return ImageView(id=image.id, file_name=image.file_name, url=image.url, updated_at=image.updated_at)


# A page of concise summaries is sent as a table: the field names once, then one row per
# audience. Repeating every key for every audience made a page of 50 cost 38% of the raw API
# page in tokens; as rows it is under 25%, with the same fields.
SUMMARY_COLUMNS = (
    "id",
    "name",
    "min_age",
    "max_age",
    "residence",
    "country",
    "native_language",
    *GENDER_KEYS,
    "interests_count",
    "needs_count",
    "pain_points_count",
    "shared",
    "updated_at",
)
SummaryCell = str | int | float | bool | None


def summary_row(audience: Audience) -> list[SummaryCell]:
    """One audience as a row in SUMMARY_COLUMNS order (gender shares as fractions)."""
    shares = gender_dict(audience) or {}
    return [
        audience.id,
        audience.name,
        audience.min_age,
        audience.max_age,
        audience.residence,
        audience.country,
        audience.native_language,
        *(shares.get(key) for key in GENDER_KEYS),
        len(audience.interests or []),
        len(audience.needs or []),
        len(audience.pain_points or []),
        audience.shared,
        audience.updated_at,
    ]
