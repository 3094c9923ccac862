"""Pydantic models of the neuroflash wire format.

Every model keeps unknown fields (`extra="allow"`) and `to_body()` writes back exactly what
was read plus what was changed: the API has two published schema versions (neuroflash's
public API docs), and a full PUT that dropped a field we do not know would silently delete it. Response fields are
optional, because audiences written by other clients may lack what the API now requires
(the audit reads those too).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# Fields the server owns: never sent back in a create or PUT body. The sandbox keeps a copy
# (it may not import the client); tests/platforms/neuroflash/sandbox/test_shared_rules.py proves the two equal.
SERVER_OWNED_FIELDS = frozenset(
    {
        "id",
        "createdAt",
        "updatedAt",
        "viewedAt",
        "createdByUserId",
        "ownerCustomerId",
        "workspaceId",
        "_embedded",
        "permissions",
        "newPermissions",
    }
)


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel)

    def to_body(self) -> dict[str, Any]:
        """The body by wire name: fields that were given (or set) plus unknown ones.

        Python mode keeps Decimals exact; `api.wire.dumps` writes them as their literals.
        """
        return self.model_dump(by_alias=True, exclude_unset=True)


class GenderDistribution(WireModel):
    """Shares as exact decimals (see api/wire.py): the API sums the literals like BigDecimal."""

    female: Decimal | None = None
    male: Decimal | None = None
    non_binary: Decimal | None = None
    prefer_not_to_say: Decimal | None = None


class AudienceProfile(WireModel):
    """The writable part of an audience: the create and PUT body, and a URL import's result."""

    name: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    residence: str | None = None
    gender_distribution: GenderDistribution | None = None
    interests: list[str] | None = None
    needs: list[str] | None = None
    pain_points: list[str] | None = None
    country: str | None = None
    native_language: str | None = None
    shared: bool | None = None


class AudienceImage(WireModel):
    id: str | None = None
    target_audience_id: str | None = None
    file_name: str | None = None
    url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    created_by_user_id: str | None = None


class AudiencePermissions(WireModel):
    can_delete: bool | None = None
    can_duplicate: bool | None = None
    can_update: bool | None = None
    can_view: bool | None = None


class CreatedByCustomer(WireModel):
    email: str | None = None
    name: str | None = None


class AudienceEmbedded(WireModel):
    image: AudienceImage | None = None
    permissions: AudiencePermissions | None = None
    created_by_customer: CreatedByCustomer | None = None


class Audience(AudienceProfile):
    """An audience as the API returns it."""

    id: str
    workspace_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    viewed_at: str | None = None
    created_by_user_id: str | None = None
    owner_customer_id: int | None = None
    embedded: AudienceEmbedded | None = Field(default=None, alias="_embedded")

    def profile(self) -> AudienceProfile:
        """The writable profile, unknown fields included, ready for a full PUT."""
        body = {k: v for k, v in self.to_body().items() if k not in SERVER_OWNED_FIELDS}
        return AudienceProfile.model_validate(body)

    @property
    def image(self) -> AudienceImage | None:
        return self.embedded.image if self.embedded else None

    def unmodeled_fields(self) -> dict[str, Any]:
        """Fields the API sent that no model declares, as read.

        Without newPermissions: the API's raw permission map, which views show as the embedded
        permissions' can_update/can_delete instead.
        """
        return {k: v for k, v in (self.model_extra or {}).items() if k != "newPermissions"}


class PageInfo(WireModel):
    current_page: int = 1
    size: int = 0
    total_elements: int = 0
    total_pages: int = 0


class AudiencePage(WireModel):
    data: list[Audience] = Field(default_factory=list)
    page: PageInfo = Field(default_factory=PageInfo)


class Duplication(WireModel):
    duplicate: Audience
    original: Audience | None = None


class DuplicationRequest(WireModel):
    """POST .../duplication: without a name the API calls the copy '<name> (Copy)'."""

    new_name: str | None = None

    @classmethod
    def named(cls, new_name: str | None) -> DuplicationRequest:
        # An empty body, not {"newName": null}: only a given name is sent.
        return cls(new_name=new_name) if new_name else cls()


class ImageUpload(WireModel):
    base64: str
    content_type: str
    file_name: str


class CreateLimit(WireModel):
    # Target-audience limits say isAvailable/usage; brand-voice limits say available/currentUsage
    # (neuroflash's public API docs): read both.
    is_available: bool | None = Field(default=None, validation_alias=AliasChoices("isAvailable", "available"))
    is_unlimited: bool | None = Field(default=None, validation_alias=AliasChoices("isUnlimited", "unlimited"))
    limit: int | None = None
    usage: int | None = Field(default=None, validation_alias=AliasChoices("usage", "currentUsage"))

    # The one reading of these numbers; the limits tool, the audit and `check` use it.
    @property
    def plan_limit(self) -> int | None:
        """How many audiences the plan allows; None when unlimited or not reported."""
        return None if self.is_unlimited else self.limit

    @property
    def remaining(self) -> int | None:
        """How many more can be created (never negative); None when the numbers are not known."""
        limit = self.plan_limit
        return None if limit is None or self.usage is None else max(0, limit - self.usage)

    @property
    def can_create(self) -> bool:
        """The API's own flag when it sends one, else: unlimited or something remaining."""
        if self.is_available is not None:
            return self.is_available
        return bool(self.is_unlimited) or bool(self.remaining)


class AudienceLimits(WireModel):
    create: CreateLimit = Field(default_factory=CreateLimit)


class Workspace(WireModel):
    id: str
    name: str | None = None
    role: str | None = None


class UrlImportRequest(WireModel):
    audience_model_id: str
    urls: list[str]
