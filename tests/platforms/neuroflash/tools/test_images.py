"""Audience images: set from base64, a data: URL or a file; get; delete; bad input refused."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.support.harness import PNG_BASE64, PNG_BYTES, Harness, ServerFactory, call, tool_error

pytestmark = pytest.mark.anyio

PUT_IMAGE = "PUT /api/audience-service/v1/workspaces/{workspaceId}/target-audiences/{targetAudienceId}/image"


def image_bytes(harness: Harness, audience_id: str) -> tuple[str, str, bytes] | None:
    """(content type, file name, bytes) of the image the sandbox keeps for the audience."""
    record = harness.sandbox.store.get_image(audience_id)
    if record is None:
        return None
    found = harness.sandbox.store.image_bytes(record.id)
    assert found is not None
    return record.content_type, record.file_name, found[1]


async def test_an_image_is_set_from_base64(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    result = await call(client, "neuroflash_set_audience_image", audience_id=audience_id, image_base64=PNG_BASE64)

    assert result["has_image"] is True
    assert result["image"]["file_name"] == "audience.png"
    assert result["image"]["url"]
    assert image_bytes(harness, audience_id) == ("image/png", "audience.png", PNG_BYTES)


async def test_an_image_is_set_from_a_data_url_with_line_breaks(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    wrapped = "\n".join(PNG_BASE64[i : i + 20] for i in range(0, len(PNG_BASE64), 20))

    await call(
        client,
        "neuroflash_set_audience_image",
        audience_id=audience_id,
        image_base64=f"data:image/png;base64,{wrapped}",
        file_name="logo.png",
    )

    assert image_bytes(harness, audience_id) == ("image/png", "logo.png", PNG_BYTES)


async def test_an_image_is_set_from_a_file(harness: Harness, client: Client, tmp_path: Path) -> None:
    audience_id = harness.seed()
    path = tmp_path / "persona.png"
    path.write_bytes(PNG_BYTES)

    result = await call(client, "neuroflash_set_audience_image", audience_id=audience_id, file_path=str(path))

    assert result["image"]["file_name"] == "persona.png"
    assert image_bytes(harness, audience_id) == ("image/png", "persona.png", PNG_BYTES)


async def test_the_type_comes_from_the_bytes_not_from_a_wrong_content_type(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    await call(
        client,
        "neuroflash_set_audience_image",
        audience_id=audience_id,
        image_base64=PNG_BASE64,
        content_type="image/jpeg",
    )

    found = image_bytes(harness, audience_id)
    assert found is not None and found[0] == "image/png"


async def test_a_file_outside_the_image_dir_is_refused(make_server: ServerFactory, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG_BYTES)
    harness = make_server(image_dir=str(allowed))
    audience_id = harness.seed()

    async with harness.client() as client:
        message = await tool_error(
            client, "neuroflash_set_audience_image", audience_id=audience_id, file_path=str(outside)
        )

    assert "inside the server's image directory" in message and "image_base64" in message
    assert harness.sandbox.stats.get(PUT_IMAGE) == 0


async def test_a_file_path_that_is_not_valid_unicode_is_refused_before_anything_is_read(
    harness: Harness, client: Client
) -> None:
    audience_id = harness.seed()

    message = await tool_error(
        client, "neuroflash_set_audience_image", audience_id=audience_id, file_path="exists\ud800.png"
    )

    assert message.startswith("file_path: contains text that is not valid Unicode") and "nothing was sent" in message


async def test_paths_outside_the_image_dir_all_get_one_answer_that_reveals_nothing(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    existing = tmp_path / "exists.png"
    existing.write_bytes(PNG_BYTES)
    harness = make_server(image_dir=str(allowed))
    audience_id = harness.seed()

    async with harness.client() as client:
        answers = {
            path: await tool_error(client, "neuroflash_set_audience_image", audience_id=audience_id, file_path=path)
            for path in (
                str(existing),
                str(tmp_path / "missing.png"),
                "../exists.png",
                "../../etc/passwd",
                "~no-such-user-xyz/x.png",  # crashed before the bad-input campaign found it
                "exists\x00.png",
            )
        }

    assert len(set(answers.values())) == 1, answers  # an existing file cannot be told from a missing one
    assert str(tmp_path) not in next(iter(answers.values()))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param({"image_base64": "this is not base64!"}, "not valid base64", id="bad-base64"),
        pytest.param(
            {"image_base64": base64.b64encode(b"%PDF-1.7 not an image").decode()}, "Not a supported image", id="pdf"
        ),
        pytest.param(
            {"image_base64": base64.b64encode(b"plain text, no image").decode(), "content_type": "image/png"},
            "Not a supported image",
            id="text-claiming-png",
        ),
        pytest.param(
            {"image_base64": base64.b64encode(b"plain text, no image").decode(), "file_name": "photo.jpg"},
            "Not a supported image",
            id="text-named-jpg",
        ),
        pytest.param({"image_base64": PNG_BASE64, "file_path": "/tmp/x.png"}, "exactly one", id="both-sources"),
        pytest.param({}, "exactly one", id="no-source"),
        pytest.param({"file_path": "/no/such/file.png"}, "No readable file", id="missing-file"),
        # Found by the bad-input campaign: these crashed (ValueError, RuntimeError) instead.
        pytest.param({"file_path": "image\x00.png"}, "No readable file", id="nul-in-path"),
        pytest.param({"file_path": "~no-such-user-xyz/image.png"}, "No readable file", id="unknown-home"),
        pytest.param({"file_path": "image\ud800.png"}, "not valid Unicode", id="lone-surrogate-in-path"),
    ],
)
async def test_bad_image_input_is_refused_and_nothing_is_uploaded(
    harness: Harness, client: Client, args: dict[str, Any], expected: str
) -> None:
    audience_id = harness.seed()

    message = await tool_error(client, "neuroflash_set_audience_image", audience_id=audience_id, **args)

    assert expected in message
    assert harness.sandbox.stats.get(PUT_IMAGE) == 0
    assert image_bytes(harness, audience_id) is None


async def test_get_image_says_whether_there_is_one(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()

    without = await call(client, "neuroflash_get_audience_image", audience_id=audience_id)
    await call(
        client, "neuroflash_set_audience_image", audience_id=audience_id, image_base64=PNG_BASE64, file_name="a.png"
    )
    with_image = await call(client, "neuroflash_get_audience_image", audience_id=audience_id)

    assert without == {"audience_id": audience_id, "has_image": False, "image": None}
    assert with_image["has_image"] is True
    assert with_image["image"]["file_name"] == "a.png"
    assert with_image["image"]["url"].endswith("/a.png")


async def test_get_image_of_an_unknown_audience_is_an_error_not_no_image(client: Client) -> None:
    message = await tool_error(client, "neuroflash_get_audience_image", audience_id="nope")

    assert "neuroflash_list_audiences" in message


async def test_delete_image_removes_it_and_keeps_the_audience(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    await call(client, "neuroflash_set_audience_image", audience_id=audience_id, image_base64=PNG_BASE64)

    result = await call(client, "neuroflash_delete_audience_image", audience_id=audience_id)

    assert result["has_image"] is False and result["image"] is None
    assert isinstance(result["change_id"], int)
    assert image_bytes(harness, audience_id) is None
    assert harness.sandbox.store.get_raw(audience_id) is not None
    assert (await call(client, "neuroflash_get_audience_image", audience_id=audience_id))["has_image"] is False


async def test_deleting_a_missing_image_is_a_no_op_that_says_there_is_none(harness: Harness, client: Client) -> None:
    audience_id = harness.seed()
    harness.sandbox.stats.reset()

    result = await call(client, "neuroflash_delete_audience_image", audience_id=audience_id)

    assert result == {"audience_id": audience_id, "has_image": False, "image": None, "change_id": None}
    assert not [key for key in harness.sandbox.stats.counts if key.startswith("DELETE")]
