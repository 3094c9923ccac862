"""The sandbox's reading of natural-language criteria, in the shapes of the documented examples.

    "Users with plan=premium AND last_active within 7 days"
    "Users who completed purchase in the last 30 days"
    "Users with email AND NOT subscribed to newsletter"
    "Users from country=US AND plan=premium"
    "Users who triggered event=app_open more than 10 times"
    "Users with signup_date before 2024-01-01"

Terms are joined by AND, each may start with NOT. Text in no such shape is `Unreadable` (the API's
400 INVALID_REQUEST "invalid criteria"). A term naming no field or event of the app is readable
but matches nobody; its name is reported in `unknown` (the sandbox's way of saying "criteria
that reference nothing the app knows").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from audience_mcp.platforms.appizer.sandbox.users import DATE_FIELDS, EVENTS, FIELDS, User

Predicate = Callable[[User], bool]


class Unreadable(ValueError):
    """Criteria the sandbox cannot read."""


@dataclass
class Criteria:
    terms: list[Predicate]
    unknown: list[str] = field(default_factory=list)

    def matches(self, user: User) -> bool:
        return all(term(user) for term in self.terms)


_CONNECTORS = re.compile(r"^(?:users?\s+)?(?:(?:with|from|who|are|have|has|that)\s+)*", re.IGNORECASE)
_EVENT_COUNT = re.compile(
    r"^(?:triggered\s+)?event\s*=\s*(\w+)\s+(more|less|fewer)\s+than\s+(\d+)\s+times?$", re.IGNORECASE
)
_EVENT_RECENT = re.compile(
    r"^(?:completed|made|did|performed|triggered)\s+(?:an?\s+)?(?:event\s*=\s*)?(\w+)\s+"
    r"(?:with)?in\s+the\s+last\s+(\d+)\s+days?$",
    re.IGNORECASE,
)
_DATE_WITHIN = re.compile(r"^(\w+)\s+(?:within(?:\s+the\s+last)?|in\s+the\s+last)\s+(\d+)\s+days?$", re.IGNORECASE)
_DATE_COMPARE = re.compile(r"^(\w+)\s+(before|after)\s+(\d{4}-\d{2}-\d{2})$", re.IGNORECASE)
_COMPARE = re.compile(r"^(\w+)\s*(>=|<=|!=|=|>|<)\s*(.+)$")
_SUBSCRIBED = re.compile(r"^subscribed\s+to\s+(?:the\s+)?(\w+)$", re.IGNORECASE)
_BARE = re.compile(r"^(\w+)$")


def _nobody(_: User) -> bool:
    return False


def _compare(left: object, op: str, right: str) -> bool:
    if isinstance(left, bool):
        value: object = right.lower() in ("true", "yes", "1")
    elif isinstance(left, int):
        try:
            value = int(right)
        except ValueError:
            return False
    elif isinstance(left, date):
        try:
            value = date.fromisoformat(right)
        except ValueError:
            return False
    elif left is None:
        return op == "!=" and bool(right)
    else:
        left, value = str(left).lower(), right.lower()
    ops: dict[str, Callable[[object, object], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">": lambda a, b: a > b,  # type: ignore[operator]
        "<": lambda a, b: a < b,  # type: ignore[operator]
        ">=": lambda a, b: a >= b,  # type: ignore[operator]
        "<=": lambda a, b: a <= b,  # type: ignore[operator]
    }
    try:
        return ops[op](left, value)
    except TypeError:
        return False


def _term(text: str, today: date, unknown: list[str]) -> Predicate:
    def field_known(name: str) -> bool:
        if name in FIELDS:
            return True
        unknown.append(name)
        return False

    if match := _EVENT_COUNT.match(text):
        event, direction, count = match.group(1).lower(), match.group(2).lower(), int(match.group(3))
        if event not in EVENTS:
            unknown.append(event)
            return _nobody
        if direction == "more":
            return lambda u: u.event_counts.get(event, 0) > count
        return lambda u: u.event_counts.get(event, 0) < count
    if match := _EVENT_RECENT.match(text):
        event, since = match.group(1).lower(), today - timedelta(days=int(match.group(2)))
        if event not in EVENTS:
            unknown.append(event)
            return _nobody
        return lambda u: event in u.last_event and u.last_event[event] >= since
    if match := _DATE_WITHIN.match(text):
        name, since = match.group(1).lower(), today - timedelta(days=int(match.group(2)))
        if name not in DATE_FIELDS:
            if not field_known(name):
                return _nobody
            raise Unreadable(f"{name} is not a date")
        return lambda u: u.value(name) >= since  # type: ignore[operator]
    if match := _DATE_COMPARE.match(text):
        name, direction = match.group(1).lower(), match.group(2).lower()
        try:
            moment = date.fromisoformat(match.group(3))
        except ValueError as exc:
            raise Unreadable(f"{match.group(3)} is not a date") from exc
        if not field_known(name):
            return _nobody
        if direction == "before":
            return lambda u: u.value(name) < moment  # type: ignore[operator]
        return lambda u: u.value(name) > moment  # type: ignore[operator]
    if match := _COMPARE.match(text):
        name, op, value = match.group(1).lower(), match.group(2), match.group(3).strip().strip("'\"")
        if not value or " " in value.strip():
            raise Unreadable(f"cannot read the value of {name}")
        if not field_known(name):
            return _nobody
        return lambda u: _compare(u.value(name), op, value)
    if match := _SUBSCRIBED.match(text):
        name = f"subscribed_{match.group(1).lower()}"
        if not field_known(name):
            return _nobody
        return lambda u: bool(u.value(name))
    if match := _BARE.match(text):
        name = match.group(1).lower()
        if not field_known(name):
            return _nobody
        return lambda u: bool(u.value(name))
    raise Unreadable(f"cannot read {text!r}")


def _negated(term: Predicate) -> Predicate:
    return lambda user: not term(user)


def parse(text: str, today: date) -> Criteria:
    """Read criteria text; raises Unreadable."""
    body = " ".join(text.split())
    if not body:
        raise Unreadable("empty criteria")
    unknown: list[str] = []
    terms: list[Predicate] = []
    for raw in re.split(r"\s+AND\s+", body, flags=re.IGNORECASE):
        part = _CONNECTORS.sub("", raw.strip())
        negate = False
        if re.match(r"^NOT\s+", part, re.IGNORECASE):
            negate, part = True, _CONNECTORS.sub("", re.sub(r"^NOT\s+", "", part, flags=re.IGNORECASE))
        if not part or re.search(r"\bOR\b", part, re.IGNORECASE):
            raise Unreadable(f"cannot read {raw!r}")
        term = _term(part, today, unknown)
        terms.append(_negated(term) if negate else term)
    return Criteria(terms=terms, unknown=sorted(set(unknown)))
