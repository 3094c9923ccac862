"""The sandbox's own copies of rules the client also knows, proven equal.

The sandbox must not import the client or the tools (it stands in for the real API, so it may
not borrow their view of it), hence the copies; these tests keep them from drifting apart.
"""

from __future__ import annotations

from audience_mcp.core.normalize import fields
from audience_mcp.platforms.neuroflash import gender, models
from audience_mcp.platforms.neuroflash.sandbox import validation


def test_the_sandbox_knows_the_same_gender_keys_in_the_same_order() -> None:
    assert validation.GENDER_KEYS == gender.GENDER_KEYS


def test_the_sandbox_ignores_exactly_the_fields_the_client_never_sends_back() -> None:
    assert validation.SERVER_OWNED_FIELDS == models.SERVER_OWNED_FIELDS


def test_the_sandbox_accepts_every_age_the_tools_send() -> None:
    # The tools stop at 120 on purpose; the sandbox, standing in for the API, is looser (150).
    assert validation.AGE_MIN == fields.MIN_AGE
    assert validation.AGE_MAX >= fields.MAX_AGE
