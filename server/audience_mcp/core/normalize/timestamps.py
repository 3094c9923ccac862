"""Timestamps a model passes back (`expected_updated_at`): checked to be one before they are compared."""

from __future__ import annotations

from datetime import datetime

from .adjusted import NormalizationError
from .text import shorten


def check_timestamp(raw: str, field: str) -> str:
    """`raw` unchanged when it is an ISO 8601 timestamp; otherwise an error saying what to send.

    Without this, "yesterday" was compared with the stored timestamp and reported as "the
    audience changed", which sent the model after a change that never happened.
    """
    text = raw.strip()
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise NormalizationError(
            field,
            f"{field}: '{shorten(text)}' is not a timestamp; send the updated_at you read from the audience, "
            "unchanged (e.g. '2026-02-01T10:00:00.000Z'), or leave it out.",
        ) from None
    return raw
