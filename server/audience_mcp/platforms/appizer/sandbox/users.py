"""The synthetic user base of each sandbox app: deterministic, so every user_count is reproducible.

Each user has a plan, a country, maybe an email, a newsletter subscription, a signup date, a
last-active date, and per-event counts with the date of the last occurrence.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

PLANS = ("free", "free", "free", "pro", "premium")
COUNTRIES = ("US", "US", "DE", "GB", "FR", "ES")
EVENTS = ("app_open", "purchase", "add_to_cart", "share")
# The user properties criteria may name (events are named by EVENTS).
FIELDS = ("plan", "country", "email", "subscribed_newsletter", "signup_date", "last_active")
DATE_FIELDS = ("signup_date", "last_active")


@dataclass
class User:
    user_id: str
    plan: str
    country: str
    email: str | None
    subscribed_newsletter: bool
    signup_date: date
    last_active: date
    event_counts: dict[str, int] = field(default_factory=dict)
    last_event: dict[str, date] = field(default_factory=dict)

    def value(self, name: str) -> object:
        return getattr(self, name)


def user_base(app_id: str, size: int, today: date) -> list[User]:
    """`size` users of `app_id`, the same ones on every run (seeded by the app id)."""
    rng = random.Random(f"appizer-sandbox:{app_id}")  # noqa: S311 - synthetic data, not crypto
    users = []
    for index in range(size):
        signup = today - timedelta(days=rng.randint(0, 1500))
        active = today - timedelta(days=min(rng.randint(0, 120), (today - signup).days))
        counts = {event: rng.choice((0, 0, 1, 3, 8, 15, 40)) for event in EVENTS}
        last = {e: active - timedelta(days=rng.randint(0, 60)) for e, n in counts.items() if n}
        users.append(
            User(
                user_id=f"u_{index:05d}",
                plan=rng.choice(PLANS),
                country=rng.choice(COUNTRIES),
                email=f"user{index}@example.com" if rng.random() < 0.8 else None,
                subscribed_newsletter=rng.random() < 0.4,
                signup_date=signup,
                last_active=active,
                event_counts=counts,
                last_event=last,
            )
        )
    return users
