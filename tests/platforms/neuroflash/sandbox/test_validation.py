"""Validation is as strict as the docs say the real API is, and reports every failing field."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.support.sandbox import GUIDE_BODY, Api, guide_body

pytestmark = pytest.mark.anyio

REQUIRED = ("name", "minAge", "maxAge", "residence", "genderDistribution", "interests", "needs", "painPoints", "shared")


def fields_of(response: Any) -> list[str]:
    body = response.json()
    assert set(body) == {"errors"}
    for error in body["errors"]:
        assert set(error) == {"field", "message", "type"}
        assert error["type"] == "validation"
    return [error["field"] for error in body["errors"]]


def message_for(response: Any, field: str) -> str:
    for error in response.json()["errors"]:
        if error["field"] == field:
            message: str = error["message"]
            return message
    raise AssertionError(f"no error for {field}: {response.text}")


@pytest.mark.parametrize("field", REQUIRED)
async def test_a_create_without_a_required_field_is_400_naming_that_field(api: Api, field: str) -> None:
    body = guide_body()
    del body[field]

    response = await api.create(body)

    assert response.status_code == 400
    assert fields_of(response) == [field]


@pytest.mark.parametrize("field", REQUIRED)
async def test_null_for_a_required_field_is_400(api: Api, field: str) -> None:
    response = await api.create(guide_body(**{field: None}))

    assert response.status_code == 400
    assert field in fields_of(response)


@pytest.mark.parametrize("field", ["country", "nativeLanguage"])
async def test_country_and_native_language_are_optional_and_read_back_as_null(api: Api, field: str) -> None:
    body = guide_body()
    del body[field]

    response = await api.create(body)

    assert response.status_code == 201
    assert response.json()[field] is None
    assert (await api.create(guide_body(**{field: 7}))).status_code == 400


@pytest.mark.parametrize(("name", "ok"), [("ab", False), ("abc", True), ("x" * 100, True), ("x" * 101, False)])
async def test_names_must_have_between_3_and_100_characters(api: Api, name: str, ok: bool) -> None:
    response = await api.create(name=name)

    if ok:
        assert response.status_code == 201
    else:
        assert response.status_code == 400
        assert fields_of(response) == ["name"]
        assert message_for(response, "name") == "must be between 3 and 100 characters"


async def test_a_blank_name_or_residence_is_refused(api: Api) -> None:
    response = await api.create(name="   ", residence="")

    assert response.status_code == 400
    assert fields_of(response) == ["name", "residence"]


@pytest.mark.parametrize("key", ["female", "male", "nonBinary", "preferNotToSay"])
async def test_a_missing_gender_key_is_400_on_its_dotted_field(api: Api, key: str) -> None:
    body = guide_body()
    del body["genderDistribution"][key]

    response = await api.create(body)

    assert response.status_code == 400
    assert fields_of(response) == [f"genderDistribution.{key}"]


async def test_gender_shares_summing_to_0_99_are_refused_with_the_sum_in_the_message(api: Api) -> None:
    response = await api.create(
        genderDistribution={"female": 0.5, "male": 0.4, "nonBinary": 0.06, "preferNotToSay": 0.03}
    )

    assert response.status_code == 400
    assert fields_of(response) == ["genderDistribution"]
    assert "0.99" in message_for(response, "genderDistribution")


@pytest.mark.parametrize(
    ("shares", "ok"),
    [
        ((0.5, 0.4, 0.07, 0.03), True),
        ((0.33, 0.33, 0.33, 0.01), True),
        ((1, 0, 0, 0), True),
        ((0.25, 0.25, 0.25, 0.25), True),
        ((0.3333, 0.3333, 0.3333, 0), False),
        ((0.1, 0.2, 0.3, 0.4000001), False),
        ((0.6, 0.6, -0.2, 0), False),
    ],
)
async def test_gender_shares_are_summed_exactly_as_decimals(api: Api, shares: tuple[float, ...], ok: bool) -> None:
    distribution = dict(zip(("female", "male", "nonBinary", "preferNotToSay"), shares, strict=True))

    response = await api.create(genderDistribution=distribution)

    assert response.status_code == (201 if ok else 400), response.text


@pytest.mark.parametrize("value", [True, "0.5", None, [0.5]])
async def test_a_gender_share_must_be_a_json_number(api: Api, value: Any) -> None:
    response = await api.create(
        genderDistribution={"female": value, "male": 0.4, "nonBinary": 0.07, "preferNotToSay": 0.03}
    )

    assert response.status_code == 400
    assert "genderDistribution.female" in fields_of(response)


async def test_an_unknown_gender_key_is_refused(api: Api) -> None:
    response = await api.create(genderDistribution={**GUIDE_BODY["genderDistribution"], "other": 0})

    assert response.status_code == 400
    assert fields_of(response) == ["genderDistribution.other"]


@pytest.mark.parametrize("value", [True, "25", 25.0, 25.5, -1, 151, [25]])
async def test_ages_must_be_json_integers_between_0_and_150(api: Api, value: Any) -> None:
    response = await api.create(minAge=value, maxAge=value)

    assert response.status_code == 400
    assert fields_of(response) == ["minAge", "maxAge"]


async def test_min_age_above_max_age_is_an_error_on_min_age(api: Api) -> None:
    response = await api.create(minAge=50, maxAge=40)

    assert response.status_code == 400
    assert fields_of(response) == ["minAge"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shared": "true"}, "shared"),
        ({"shared": 1}, "shared"),
        ({"interests": "AI"}, "interests"),
        ({"needs": ["ok", 3]}, "needs[1]"),
        ({"painPoints": {"a": 1}}, "painPoints"),
        ({"residence": 10}, "residence"),
        ({"name": 12345}, "name"),
        ({"genderDistribution": [0.5, 0.5, 0, 0]}, "genderDistribution"),
    ],
)
async def test_wrong_json_types_are_refused(api: Api, changes: dict[str, Any], field: str) -> None:
    response = await api.create(guide_body(**changes))

    assert response.status_code == 400
    assert fields_of(response) == [field]


async def test_every_failing_field_is_listed_at_once(api: Api) -> None:
    response = await api.create({"name": "ab", "minAge": 5, "maxAge": 1})

    assert response.status_code == 400
    assert fields_of(response) == [
        "name",
        "minAge",
        "residence",
        "genderDistribution",
        "interests",
        "needs",
        "painPoints",
        "shared",
    ]


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", b'"text"', b'{"minAge": NaN}'])
async def test_a_body_that_is_not_a_json_object_is_400_on_field_body(api: Api, content: bytes) -> None:
    response = await api.request(
        "POST", api.path("/target-audiences"), content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert fields_of(response) == ["body"]


async def test_a_put_with_a_partial_body_is_400_and_changes_nothing(api: Api) -> None:
    created = await api.create_ok()

    response = await api.request("PUT", api.audience(created["id"]), json={"name": "Only the name"})

    assert response.status_code == 400
    assert "residence" in fields_of(response)
    assert (await api.request("GET", api.audience(created["id"]))).json() == created


async def test_a_put_is_validated_like_a_create(api: Api) -> None:
    created = await api.create_ok()

    response = await api.request(
        "PUT",
        api.audience(created["id"]),
        json=guide_body(
            genderDistribution={"female": 0.3333, "male": 0.3333, "nonBinary": 0.3333, "preferNotToSay": 0}
        ),
    )

    assert response.status_code == 400
    assert fields_of(response) == ["genderDistribution"]


@pytest.mark.parametrize(("new_name", "ok"), [("ab", False), (5, False), ("x" * 101, False), ("Fine name", True)])
async def test_a_duplication_new_name_is_validated_like_a_name(api: Api, new_name: Any, ok: bool) -> None:
    created = await api.create_ok()

    response = await api.request("POST", api.audience(created["id"], "/duplication"), json={"newName": new_name})

    assert response.status_code == (201 if ok else 400)
    if not ok:
        assert fields_of(response) == ["newName"]


def image_body(**changes: Any) -> dict[str, Any]:
    body = {"base64": base64.b64encode(b"\x89PNG data").decode(), "contentType": "image/png", "fileName": "a.png"}
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"base64": "not base64!"}, "base64"),
        ({"base64": "abc"}, "base64"),
        ({"base64": None}, "base64"),
        ({"contentType": "image/svg+xml"}, "contentType"),
        ({"contentType": "application/pdf"}, "contentType"),
        ({"fileName": ""}, "fileName"),
        ({"fileName": "../etc/passwd"}, "fileName"),
        ({"fileName": 3}, "fileName"),
    ],
)
async def test_image_uploads_need_strict_base64_an_image_type_and_a_file_name(
    api: Api, changes: dict[str, Any], field: str
) -> None:
    created = await api.create_ok()

    response = await api.request("PUT", api.audience(created["id"], "/image"), json=image_body(**changes))

    assert response.status_code == 400
    assert fields_of(response) == [field]


@pytest.mark.parametrize("content_type", ["image/png", "image/jpeg", "image/gif", "image/webp"])
async def test_the_four_image_types_are_accepted(api: Api, content_type: str) -> None:
    created = await api.create_ok()

    response = await api.request(
        "PUT", api.audience(created["id"], "/image"), json=image_body(contentType=content_type)
    )

    assert response.status_code == 200


async def test_images_over_5_mb_are_refused_and_exactly_5_mb_accepted(api: Api) -> None:
    created = await api.create_ok()
    path = api.audience(created["id"], "/image")
    limit = 5 * 1024 * 1024

    too_big = await api.request("PUT", path, json=image_body(base64=base64.b64encode(b"\0" * (limit + 1)).decode()))
    just_fits = await api.request("PUT", path, json=image_body(base64=base64.b64encode(b"\0" * limit).decode()))

    assert too_big.status_code == 400
    assert fields_of(too_big) == ["base64"]
    assert just_fits.status_code == 200


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"page": 0}, ["page"]),
        ({"page": -2}, ["page"]),
        ({"size": 0}, ["size"]),
        ({"page": "two"}, ["page"]),
        ({"size": "1.5"}, ["size"]),
        ({"page": "x", "size": "y"}, ["page", "size"]),
    ],
)
async def test_list_parameters_must_be_positive_integers(api: Api, params: dict[str, Any], fields: list[str]) -> None:
    response = await api.list(**params)

    assert response.status_code == 400
    assert fields_of(response) == fields


async def test_server_owned_fields_in_a_body_are_ignored(api: Api) -> None:
    response = await api.create(
        guide_body(
            id="11111111-1111-4111-8111-111111111111",
            createdByUserId="someone-else",
            ownerCustomerId=1,
            workspaceId="elsewhere",
            createdAt="2000-01-01T00:00:00Z",
            _embedded={"permissions": {"canDelete": False}},
            newPermissions={"deletionAllowed": False},
        )
    )

    assert response.status_code == 201
    audience = response.json()
    assert audience["id"] != "11111111-1111-4111-8111-111111111111"
    assert audience["ownerCustomerId"] == 12345
    assert audience["createdAt"].startswith("2025-01-14")
    assert audience["_embedded"]["permissions"]["canDelete"] is True
    assert audience["newPermissions"]["deletionAllowed"] is True
