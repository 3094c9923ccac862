"""Every endpoint of the client against the sandbox, through the real HTTP stack."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest

from audience_mcp.platforms.neuroflash.api import ImageUpload, NeuroflashClient
from tests.support.api import guide_profile, workspace

pytestmark = pytest.mark.anyio

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def test_list_workspaces_reads_the_embedded_envelope(client: NeuroflashClient) -> None:
    workspaces = await client.list_workspaces()
    assert len(workspaces) == 1
    assert workspaces[0].id and workspaces[0].name == "Sandbox workspace"


async def test_list_workspaces_reads_the_data_envelope(make_client: Any) -> None:
    from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID, SandboxConfig, create_sandbox_app

    app = create_sandbox_app(SandboxConfig(db_path=":memory:", workspace_envelope="data"))
    async with make_client(app=app) as client:
        workspaces = await client.list_workspaces()
    assert [w.id for w in workspaces] == [SANDBOX_WORKSPACE_ID]


async def test_create_get_update_delete_lifecycle(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    created = await client.create_audience(ws, guide_profile())
    assert created.id and created.name == "Marketing leaders"
    assert created.gender_distribution is not None and created.gender_distribution.non_binary == Decimal("0.07")

    fetched = await client.get_audience(ws, created.id)
    assert fetched.profile().to_body() == created.profile().to_body()

    profile = fetched.profile()
    profile.name = "Senior marketing leaders"
    updated = await client.update_audience(ws, created.id, profile)
    assert updated.name == "Senior marketing leaders"
    assert updated.updated_at != created.updated_at

    await client.delete_audience(ws, created.id)
    from audience_mcp.platforms.neuroflash.api import NotFoundError

    with pytest.raises(NotFoundError):
        await client.get_audience(ws, created.id)


async def test_list_pages_and_filters(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    for i in range(25):
        country = "DE" if i % 5 == 0 else "US"
        await client.create_audience(ws, guide_profile(name=f"Audience {i:02d}", country=country))
    first = await client.list_audiences(ws, page=1, size=10)
    assert first.page.total_elements == 25 and first.page.total_pages == 3 and len(first.data) == 10
    third = await client.list_audiences(ws, page=3, size=10)
    assert len(third.data) == 5
    german = await client.list_audiences(ws, country="DE", size=50)
    assert german.page.total_elements == 5
    assert {a.country for a in german.data} == {"DE"}
    found = await client.list_audiences(ws, search="audience 07")
    assert [a.name for a in found.data] == ["Audience 07"]


async def test_unknown_fields_survive_a_fetch_then_put(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    created = await client.create_audience(
        ws, guide_profile(additionalInformation="B2B only", futureField={"nested": [1, 2]})
    )
    fetched = await client.get_audience(ws, created.id)
    profile = fetched.profile()
    assert profile.to_body()["additionalInformation"] == "B2B only"
    profile.residence = "Hamburg"
    updated = await client.update_audience(ws, created.id, profile)
    body = updated.profile().to_body()
    assert body["additionalInformation"] == "B2B only"
    assert body["futureField"] == {"nested": [1, 2]}
    assert body["residence"] == "Hamburg"


async def test_duplicate_returns_duplicate_and_original(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    created = await client.create_audience(ws, guide_profile())
    result = await client.duplicate_audience(ws, created.id, "Copy of leaders")
    assert result.duplicate.name == "Copy of leaders" and result.duplicate.id != created.id
    assert result.original is not None and result.original.id == created.id
    default_named = await client.duplicate_audience(ws, created.id)
    assert default_named.duplicate.name == "Marketing leaders (Copy)"


async def test_image_put_get_fetch_and_delete(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    created = await client.create_audience(ws, guide_profile())
    upload = ImageUpload(base64=base64.b64encode(PNG).decode(), content_type="image/png", file_name="icon.png")
    image = await client.set_image(ws, created.id, upload)
    assert image.file_name == "icon.png" and image.url
    again = await client.get_image(ws, created.id)
    assert again.id == image.id
    data, content_type = await client.fetch_image_bytes(again.url or "")
    assert data == PNG and content_type.startswith("image/png")
    await client.delete_image(ws, created.id)
    from audience_mcp.platforms.neuroflash.api import NotFoundError

    with pytest.raises(NotFoundError) as caught:
        await client.get_image(ws, created.id)
    assert caught.value.code == "IMAGE_NOT_FOUND"


async def test_usage_updates_viewed_at(client: NeuroflashClient, sandbox: Any) -> None:
    ws = await workspace(client)
    created = await client.create_audience(ws, guide_profile())
    before = (await client.get_audience(ws, created.id)).viewed_at
    await client.record_usage(ws, created.id)
    after = (await client.get_audience(ws, created.id)).viewed_at
    assert after is not None and after != before


async def test_limits_report_usage(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    await client.create_audience(ws, guide_profile())
    limits = await client.get_limits(ws)
    assert limits.create.usage == 1 and limits.create.limit == 50
    assert limits.create.is_available is True and limits.create.is_unlimited is False


async def test_limits_read_the_brand_voice_spelling() -> None:
    from audience_mcp.platforms.neuroflash.api import AudienceLimits

    limits = AudienceLimits.model_validate(
        {"create": {"available": True, "currentUsage": 3, "isUnlimited": False, "limit": 10}}
    )
    assert limits.create.usage == 3 and limits.create.is_available is True


async def test_url_import_returns_a_profile_without_id_that_creates(client: NeuroflashClient) -> None:
    ws = await workspace(client)
    profile = await client.import_from_urls(ws, ["https://your-brand.com"], "538b1efc6f88ad88feebf7acd8c618facb54fe82")
    body = profile.to_body()
    assert "id" not in body and body["name"]
    created = await client.create_audience(ws, profile)
    assert created.id
