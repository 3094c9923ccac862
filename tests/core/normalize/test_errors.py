"""NormalizationError and Adjusted: the contract every tool relies on."""

import ast
import pickle
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

import audience_mcp.core.normalize as normalize
from audience_mcp.core.normalize import Adjusted, NormalizationError

PACKAGE_DIR = Path(normalize.__file__).parent


def test_error_str_is_the_message_and_field_is_kept() -> None:
    err = NormalizationError("min_age", "min_age: send a number.")
    assert str(err) == "min_age: send a number."
    assert err.field == "min_age"
    assert err.message == "min_age: send a number."
    assert isinstance(err, ValueError)


def test_error_survives_pickling_with_both_fields() -> None:
    err = pickle.loads(pickle.dumps(NormalizationError("country", "country: bad.")))
    assert (err.field, err.message) == ("country", "country: bad.")


def test_adjusted_defaults_to_no_adjustments_and_is_frozen() -> None:
    adjusted = Adjusted(5)
    assert adjusted.adjustments == ()
    with pytest.raises(FrozenInstanceError):
        adjusted.value = 6  # type: ignore[misc]


def test_public_api_is_re_exported_from_the_package() -> None:
    expected = {
        "NormalizationError",
        "Adjusted",
        "normalize_country",
        "normalize_language",
        "normalize_text_list",
        "normalize_age",
        "check_age_range",
        "normalize_name",
        "normalize_residence",
        "apply_list_edits",
    }
    assert expected <= set(normalize.__all__)
    for name in expected:
        assert hasattr(normalize, name)


def test_the_package_imports_only_the_standard_library_and_pycountry() -> None:
    allowed_third_party = {"pycountry"}
    for path in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside this package
                    continue
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            for root in roots:
                assert root in allowed_third_party or root in _stdlib(), f"{path.name} imports {root}"


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names) | {"__future__"}
