"""Normalizers: what an AI assistant sends -> what the neuroflash audience API accepts.

Pure functions (no I/O, no other project imports). Each returns an ``Adjusted`` value whose
``adjustments`` are short sentences, naming the tool parameter, that the model can relay to the
user; anything that cannot be repaired raises ``NormalizationError`` with a message saying what to
send instead. No other exception escapes, whatever the input type.
"""

from .errors import Adjusted, NormalizationError
from .fields import (
    apply_list_edits,
    check_age_range,
    normalize_age,
    normalize_name,
    normalize_residence,
    normalize_text_list,
)
from .gender import DEFAULT_GENDER_SHARES, GENDER_KEYS, default_gender_shares, normalize_gender_shares
from .geography import normalize_country, normalize_language

__all__ = [
    "DEFAULT_GENDER_SHARES",
    "GENDER_KEYS",
    "Adjusted",
    "NormalizationError",
    "apply_list_edits",
    "check_age_range",
    "default_gender_shares",
    "normalize_age",
    "normalize_country",
    "normalize_gender_shares",
    "normalize_language",
    "normalize_name",
    "normalize_residence",
    "normalize_text_list",
]
