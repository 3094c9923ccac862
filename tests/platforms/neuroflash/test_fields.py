"""The one table between tool parameters and API fields: derived from the models, used everywhere."""

from __future__ import annotations

from audience_mcp.platforms.neuroflash.fields import API_FIELDS, PARAM_NAMES, profile_param, profile_params
from audience_mcp.platforms.neuroflash.models import AudienceProfile
from audience_mcp.platforms.neuroflash.tools import errors, profiles
from audience_mcp.platforms.neuroflash.tools.errors import param_name


def test_every_profile_field_has_its_wire_name() -> None:
    assert list(API_FIELDS) == list(AudienceProfile.model_fields)
    assert API_FIELDS["min_age"] == "minAge"
    assert API_FIELDS["pain_points"] == "painPoints"
    assert API_FIELDS["native_language"] == "nativeLanguage"
    assert profiles.API_FIELDS is API_FIELDS  # the name other tools import stays the same table


def test_error_field_names_come_from_the_same_table() -> None:
    assert errors._PARAM_NAMES is PARAM_NAMES
    # The entries the hand-written copy held, all still there.
    hand_written = {
        "minAge": "min_age",
        "maxAge": "max_age",
        "genderDistribution": "gender_distribution",
        "painPoints": "pain_points",
        "nativeLanguage": "native_language",
        "newName": "new_name",
        "audienceModelId": "audience_model_id",
        "contentType": "content_type",
        "fileName": "file_name",
        "base64": "image_base64",
    }
    assert hand_written.items() <= PARAM_NAMES.items()
    assert param_name("genderDistribution.female") == "gender_distribution.female"
    assert param_name("somethingNew") == "somethingNew"


def test_changes_are_named_by_profile_parameter_only() -> None:
    assert profile_param("painPoints") == "pain_points"
    # A request field that is not part of a profile is an unknown field there: it keeps its name.
    assert profile_param("fileName") == "fileName"


def test_profile_params_reads_a_body_by_parameter() -> None:
    params = profile_params({"name": "Leads", "minAge": 25, "customField": 1})
    assert list(params) == list(API_FIELDS)
    assert params["name"] == "Leads"
    assert params["min_age"] == 25
    assert params["pain_points"] is None
    assert "customField" not in params
