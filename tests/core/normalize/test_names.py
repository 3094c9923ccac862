"""Names carry only visible text: NUL, control, bidi and zero-width characters are removed or refused."""

import pytest

from audience_mcp.core.normalize import NormalizationError, normalize_name


@pytest.mark.parametrize(
    ("raw", "clean", "kind"),
    [
        pytest.param("Bad\x00Name", "BadName", "NUL", id="nul"),
        pytest.param("Team \u202eevil\u202c leads", "Team evil leads", "text-direction", id="bidi-override"),
        pytest.param("\u2067Leads\u2069 EU", "Leads EU", "text-direction", id="bidi-isolate"),
        pytest.param("Zero\u200bwidth", "Zerowidth", "zero-width", id="zero-width-space"),
        pytest.param("\ufeffBOM leads", "BOM leads", "zero-width", id="byte-order-mark"),
        pytest.param("Bell\x07 leads", "Bell leads", "control", id="control"),
    ],
)
def test_invisible_characters_are_removed_with_an_adjustment(raw: str, clean: str, kind: str) -> None:
    result = normalize_name(raw)

    assert result.value == clean
    assert result.adjustments == (f"name: removed {kind} characters, which are not visible text.",)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("\x00\x00\x00", id="only-nul"),
        pytest.param("\u200b\u200b\u200b\u200b", id="only-zero-width"),
        pytest.param("\u200d\u200c\u200d", id="only-joiners"),
        pytest.param("\u202e\u202d\u202c", id="only-bidi"),
    ],
)
def test_a_name_of_invisible_characters_only_is_refused(raw: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_name(raw)

    assert info.value.field == "name"
    assert info.value.message.startswith("name: has no visible characters")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("\U0001f469\u200d\U0001f4bb developers", id="emoji-zwj-sequence"),
        pytest.param("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 leads", id="persian-zwnj"),
        pytest.param("\u05dc\u05e7\u05d5\u05d7\u05d5\u05ea Israel", id="hebrew"),
    ],
)
def test_joiners_inside_words_and_right_to_left_letters_are_kept(raw: str) -> None:
    result = normalize_name(raw)

    assert result.value == raw and result.adjustments == ()


def test_line_breaks_become_spaces_rather_than_joining_words() -> None:
    assert normalize_name("Marketing\nleaders").value == "Marketing leaders"
