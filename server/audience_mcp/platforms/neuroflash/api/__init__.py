"""The typed neuroflash API client (no MCP here: the tools layer imports this, never the reverse)."""

from audience_mcp.core.http.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    FieldError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitReachedError,
    RateLimitError,
    ServerError,
)
from audience_mcp.core.http.requester import RetryPolicy
from audience_mcp.platforms.neuroflash.client import MAX_PAGE_SIZE, NeuroflashClient, ResponseFormatError
from audience_mcp.platforms.neuroflash.models import (
    Audience,
    AudienceImage,
    AudienceLimits,
    AudiencePage,
    AudienceProfile,
    Duplication,
    GenderDistribution,
    ImageUpload,
    Workspace,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Audience",
    "AudienceImage",
    "AudienceLimits",
    "AudiencePage",
    "AudienceProfile",
    "AuthenticationError",
    "Duplication",
    "FieldError",
    "GenderDistribution",
    "ImageUpload",
    "InvalidRequestError",
    "NeuroflashClient",
    "NotFoundError",
    "PermissionDeniedError",
    "PlanLimitReachedError",
    "RateLimitError",
    "ResponseFormatError",
    "RetryPolicy",
    "ServerError",
    "Workspace",
]
