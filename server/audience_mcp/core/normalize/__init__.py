"""Normalizers: what an AI assistant sends -> what the audience APIs accept.

Pure functions (no I/O, no other project imports). Each returns an ``Adjusted`` value whose
``adjustments`` are short sentences, naming the tool parameter, that the model can relay to the
user; anything that cannot be repaired raises ``NormalizationError`` with a message saying what to
send instead. No other exception escapes, whatever the input type.
"""

from .adjusted import Adjusted, NormalizationError
from .fields import (
    apply_list_edits,
    check_age_range,
    normalize_age,
    normalize_name,
    normalize_residence,
    normalize_text_list,
)
from .geography import normalize_country, normalize_language

__all__ = [
    "Adjusted",
    "NormalizationError",
    "apply_list_edits",
    "check_age_range",
    "normalize_age",
    "normalize_country",
    "normalize_language",
    "normalize_name",
    "normalize_residence",
    "normalize_text_list",
]
