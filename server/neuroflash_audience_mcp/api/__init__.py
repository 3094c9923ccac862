"""The typed neuroflash API client (no MCP here: the tools layer imports this, never the reverse)."""

from neuroflash_audience_mcp.api.client import MAX_PAGE_SIZE, NeuroflashClient, ResponseFormatError
from neuroflash_audience_mcp.api.errors import (
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
from neuroflash_audience_mcp.api.models import (
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
from neuroflash_audience_mcp.api.transport import RetryPolicy

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
