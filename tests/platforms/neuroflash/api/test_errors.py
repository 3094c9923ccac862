"""The error hierarchy: each API failure becomes the class the tools need, with its details."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from audience_mcp.core.http.paths import UnsafePathSegmentError
from audience_mcp.platforms.neuroflash.api import (
    AudienceProfile,
    AuthenticationError,
    InvalidRequestError,
    NeuroflashClient,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitReachedError,
)
from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_ACCOUNTS
from tests.support.api import guide_profile, workspace

COLLEAGUE = SANDBOX_ACCOUNTS[1]

pytestmark = pytest.mark.anyio


async def test_a_share_sum_of_099_is_a_validation_error_naming_the_field(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    bad = guide_profile(genderDistribution={"female": 0.5, "male": 0.4, "nonBinary": 0.06, "preferNotToSay": 0.03})
    with pytest.raises(InvalidRequestError) as caught:
        await client.create_audience(ws, bad)
    assert caught.value.status == 400
    assert any(e.field.startswith("genderDistribution") for e in caught.value.field_errors)


async def test_a_partial_put_is_refused(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    created = await client.create_audience(ws, guide_profile())
    with pytest.raises(InvalidRequestError) as caught:
        await client.update_audience(ws, created.id, AudienceProfile(name="Only a name"))
    fields = {e.field.split(".")[0] for e in caught.value.field_errors}
    assert {"minAge", "maxAge", "genderDistribution"} <= fields


async def test_wrong_client_secret_is_an_authentication_error(make_client: Any) -> None:
    async with make_client(client_secret=SecretStr("wrong-secret-value")) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_workspaces()
    assert "wrong-secret-value" not in str(caught.value)


async def test_an_invalid_static_token_fails_once_without_a_loop(make_client: Any, sandbox: Any) -> None:
    async with make_client(access_token=SecretStr("not-a-real-token")) as client:
        with pytest.raises(AuthenticationError):
            await client.list_workspaces()
        assert sum(sandbox.stats.counts.values()) == 1  # one request reached the API: no refresh loop


async def test_only_the_creator_may_update_or_delete(make_client: Any) -> None:
    async with (
        make_client() as owner,
        make_client(client_id=COLLEAGUE.client_id, client_secret=SecretStr(COLLEAGUE.client_secret)) as other,
    ):
        ws = await workspace(owner)
        created = await owner.create_audience(ws, guide_profile(shared=True))
        with pytest.raises(PermissionDeniedError) as caught:
            await other.update_audience(ws, created.id, created.profile())
        assert not isinstance(caught.value, PlanLimitReachedError)
        with pytest.raises(PermissionDeniedError):
            await other.delete_audience(ws, created.id)
        copy = await other.duplicate_audience(ws, created.id)
        assert copy.duplicate.id != created.id


async def test_an_unshared_audience_of_another_account_is_not_found(make_client: Any) -> None:
    async with (
        make_client() as owner,
        make_client(client_id=COLLEAGUE.client_id, client_secret=SecretStr(COLLEAGUE.client_secret)) as other,
    ):
        ws = await workspace(owner)
        created = await owner.create_audience(ws, guide_profile(shared=False))
        with pytest.raises(NotFoundError):
            await other.get_audience(ws, created.id)


@pytest.fixture
def sandbox_config() -> Any:
    from audience_mcp.platforms.neuroflash.sandbox import SandboxConfig

    return SandboxConfig(db_path=":memory:", create_limit=2)


async def test_the_plan_limit_is_told_apart_from_a_permission_error(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    first = await client.create_audience(ws, guide_profile())
    await client.create_audience(ws, guide_profile())
    with pytest.raises(PlanLimitReachedError) as caught:
        await client.create_audience(ws, guide_profile())
    assert caught.value.usage == 2 and caught.value.limit == 2
    with pytest.raises(PlanLimitReachedError):
        await client.duplicate_audience(ws, first.id)


async def test_path_ids_cannot_escape_their_segment(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    # Refused before sending (core/http/paths.py), not left to the server's 404.
    with pytest.raises(UnsafePathSegmentError, match="contains a slash"):
        await client.get_audience(ws, "../../limits/target-audiences")
