"""Appizer criteria: structured conditions rendered into the documented phrasing, and what models
send (operators as words, "last week", quoted values, duplicates) normalized, each change named.

    [{"field": "plan", "op": "=", "value": "premium"}, {"field": "last_active", "within_days": 7}]
    -> "Users with plan=premium AND last_active within 7 days"

Pure: no I/O. `NormalizationError` carries a sentence the model can act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audience_mcp.core.normalize import NormalizationError

MAX_CONDITIONS = 20
MAX_CRITERIA_LENGTH = 1000

_OPERATOR_WORDS = {
    "=": "=",
    "==": "=",
    "eq": "=",
    "is": "=",
    "equals": "=",
    "equal": "=",
    "!=": "!=",
    "<>": "!=",
    "ne": "!=",
    "is not": "!=",
    "not equals": "!=",
    ">": ">",
    "gt": ">",
    "more than": ">",
    "greater than": ">",
    "over": ">",
    ">=": ">=",
    "gte": ">=",
    "at least": ">=",
    "<": "<",
    "lt": "<",
    "less than": "<",
    "fewer than": "<",
    "under": "<",
    "<=": "<=",
    "lte": "<=",
    "at most": "<=",
}
_PERIODS = {
    "today": 1,
    "yesterday": 1,
    "last day": 1,
    "last week": 7,
    "past week": 7,
    "last 7 days": 7,
    "last month": 30,
    "past month": 30,
    "last 30 days": 30,
    "last quarter": 90,
    "last year": 365,
}
_LAST_N_DAYS = re.compile(r"^(?:in\s+the\s+)?(?:last|past)\s+(\d+)\s+days?$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Criteria:
    text: str
    adjustments: list[str] = field(default_factory=list)


def _clean(value: Any) -> str:
    text = " ".join(str(value).split())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        text = text[1:-1].strip()
    return text


def _name(raw: Any, what: str) -> str:
    name = _clean(raw).lower().replace(" ", "_")
    if not _NAME.match(name):
        raise NormalizationError("conditions", f"{what} {raw!r} is not a field or event name (letters, digits, _).")
    return name


def _operator(raw: Any, adjustments: list[str]) -> str:
    text = _clean(raw).lower()
    op = _OPERATOR_WORDS.get(text)
    if op is None:
        raise NormalizationError("conditions", f"Unknown operator {raw!r}; use one of =, !=, >, >=, <, <=.")
    if op != text:
        adjustments.append(f"operator '{raw}' read as '{op}'")
    return op


def _days(raw: Any, adjustments: list[str]) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        days = raw
    else:
        text = _clean(raw).lower()
        if text.isdigit():
            days = int(text)
        elif text in _PERIODS:
            days = _PERIODS[text]
            adjustments.append(f"'{raw}' read as the last {days} days")
        elif match := _LAST_N_DAYS.match(text):
            days = int(match.group(1))
        else:
            raise NormalizationError("conditions", f"within_days {raw!r} is not a number of days (e.g. 7).")
    if not 1 <= days <= 3650:
        raise NormalizationError("conditions", f"within_days must be 1-3650, not {days}.")
    return days


def _count(raw: Any) -> int:
    try:
        count = int(_clean(raw))
    except ValueError:
        raise NormalizationError("conditions", f"count {raw!r} is not a whole number.") from None
    if count < 0:
        raise NormalizationError("conditions", "count must be 0 or more.")
    return count


def _event_term(cond: Mapping[str, Any], adjustments: list[str]) -> str:
    event = _name(cond["event"], "event")
    if "within_days" in cond:
        return f"completed {event} in the last {_days(cond['within_days'], adjustments)} days"
    op = _operator(cond.get("op", ">"), adjustments)
    count = _count(cond.get("count", 0))
    # The documented phrasing has "more than" and (by symmetry) "less than"; >= n is "more than n-1".
    if op == ">=":
        op, count = ">", count - 1
    elif op == "<=":
        op, count = "<", count + 1
    if op not in (">", "<") or count < 0:
        raise NormalizationError("conditions", f"event counts take op '>' or '<' with a count, not {op!r}.")
    return f"triggered event={event} {'more' if op == '>' else 'less'} than {count} times"


def _field_term(cond: Mapping[str, Any], adjustments: list[str]) -> str:
    name = _name(cond["field"], "field")
    if "within_days" in cond:
        return f"{name} within {_days(cond['within_days'], adjustments)} days"
    for direction in ("before", "after"):
        if direction in cond:
            moment = _clean(cond[direction])
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", moment):
                raise NormalizationError("conditions", f"{direction} needs a date like 2024-01-01, not {moment!r}.")
            return f"{name} {direction} {moment}"
    if "value" not in cond:
        return name  # the field is set / true ("Users with email")
    value = _clean(cond["value"])
    if isinstance(cond["value"], bool):
        value = "true" if cond["value"] else "false"
    if not value or " " in value:
        raise NormalizationError(
            "conditions", f"The value of {name} must be one word (got {cond['value']!r}); use _ for spaces."
        )
    if value != str(cond["value"]):
        adjustments.append(f"value of {name} unquoted")
    return f"{name}{_operator(cond.get('op', '='), adjustments)}{value}"


def _term(cond: Any, adjustments: list[str], depth: int = 0) -> str:
    if not isinstance(cond, Mapping):
        raise NormalizationError("conditions", f"Each condition is an object like {{'field': ..}}, not {cond!r}.")
    if "not" in cond:
        if depth:
            raise NormalizationError("conditions", "A 'not' inside a 'not' cancels out; remove both.")
        return f"NOT {_term(cond['not'], adjustments, depth + 1)}"
    if "event" in cond:
        return _event_term(cond, adjustments)
    if "field" in cond:
        return _field_term(cond, adjustments)
    raise NormalizationError("conditions", f"A condition needs 'field', 'event' or 'not': {dict(cond)!r}.")


def render(conditions: Sequence[Any]) -> Criteria:
    """The conditions as criteria text in the documented phrasing, joined by AND."""
    if len(conditions) > MAX_CONDITIONS:
        raise NormalizationError("conditions", f"At most {MAX_CONDITIONS} conditions.")
    adjustments: list[str] = []
    terms: list[str] = []
    for cond in conditions:
        term = _term(cond, adjustments)
        if term in terms:
            adjustments.append(f"duplicate condition '{term}' dropped")
            continue
        terms.append(term)
    if not terms:
        raise NormalizationError("conditions", "No conditions given; an audience needs at least one.")
    return Criteria("Users with " + " AND ".join(terms), adjustments)


def normalize_text(criteria: str) -> Criteria:
    """Criteria text as the API reads it: whitespace, quotes, AND/NOT spelled out, "last week" as days."""
    adjustments: list[str] = []
    text = _clean(criteria)
    if not text:
        raise NormalizationError("criteria", "criteria is empty; describe the users, e.g. 'Users with plan=premium'.")
    if len(text) > MAX_CRITERIA_LENGTH:
        raise NormalizationError("criteria", f"criteria is longer than {MAX_CRITERIA_LENGTH} characters; shorten it.")
    words = re.sub(r"\b(and|not)\b", lambda m: m.group(1).upper(), text)
    for period, days in _PERIODS.items():
        words = re.sub(rf"\b(?:in the |within the )?{period}\b", f"in the last {days} days", words)
    words = re.sub(r"\s*(!=|>=|<=|=)\s*", r"\1", words)
    words = re.sub(r"(=)['\"]([^'\"]*)['\"]", r"\1\2", words)
    parts = re.split(r"\s+AND\s+", words)
    unique = [p for i, p in enumerate(parts) if p not in parts[:i]]
    if len(unique) < len(parts):
        adjustments.append("duplicate condition dropped")
    words = " AND ".join(unique)
    if not re.match(r"^users?\b", words, re.IGNORECASE):
        words = f"Users with {words}"
    if words != text:
        adjustments.append(f"criteria normalized to '{words}'")
    return Criteria(words, adjustments)


def build(criteria: str | None, conditions: Sequence[Any] | None) -> Criteria:
    """The criteria to send from what the model gave: conditions win over text when both come."""
    if conditions:
        result = render(conditions)
        if criteria and criteria.strip():
            result.adjustments.append(f"both criteria and conditions given: used conditions, ignored '{criteria}'")
        return result
    if criteria is None or not criteria.strip():
        raise NormalizationError(
            "criteria", "Give criteria (text like 'Users with plan=premium') or conditions; both are empty."
        )
    return normalize_text(criteria)


def signature(text: str) -> str:
    """A key under which equivalent criteria texts are equal (case, spacing, term order)."""
    body = re.sub(r"^users?\s+(?:with|from|who)?\s*", "", " ".join(text.split()).lower())
    terms = sorted({t.strip() for t in re.split(r"\s+and\s+", body) if t.strip()})
    return " AND ".join(terms)
