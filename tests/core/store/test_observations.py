"""Observations: a bounded history per resource, one row per hour at most, across restarts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.keys import ResourceKey

A = ResourceKey("appizer", "app-1", "audience", "aud-1")
B = ResourceKey("appizer", "app-1", "audience", "aud-2")


@pytest.fixture
def journal(state_location: str) -> Iterator[Journal]:
    store = Journal(state_location)
    yield store
    store.close()


def test_sightings_within_an_hour_update_one_row_and_later_ones_add_rows(journal: Journal) -> None:
    journal.observations.record(A, {"user_count": 100}, at=1_000.0)
    journal.observations.record(A, {"user_count": 90}, at=1_000.0 + 1800)  # same hour: replaces the data
    journal.observations.record(A, {"user_count": 50}, at=1_000.0 + 3600)

    history = journal.observations.history(A)

    assert [(o.seen_at, o.data["user_count"]) for o in history] == [(4_600.0, 50), (1_000.0, 90)]


def test_history_is_bounded_per_resource(journal: Journal) -> None:
    for hour in range(10):
        journal.observations.record(A, {"n": hour}, at=hour * 3600.0, keep=3)

    assert [o.data["n"] for o in journal.observations.history(A)] == [9, 8, 7]


def test_latest_gives_the_newest_sighting_of_each_resource(journal: Journal) -> None:
    journal.observations.record(A, {"state": "NODATA"}, at=0.0)
    journal.observations.record(B, {"state": "READY"}, at=10.0)
    journal.observations.record(A, {"state": "READY"}, at=7_200.0)
    journal.observations.record(ResourceKey("other", "x", "audience", "aud-1"), {"state": "?"}, at=5.0)

    latest = list(journal.observations.latest("appizer", "audience"))

    assert [(o.key.resource_id, o.data["state"]) for o in latest] == [("aud-1", "READY"), ("aud-2", "READY")]
    assert list(journal.observations.latest("appizer", "audience", scope_id="app-2")) == []


def test_observations_survive_a_restart(state_location: str) -> None:
    first = Journal(state_location)
    first.observations.record(A, {"user_count": 7}, at=1.0)
    first.close()

    again = Journal(state_location)

    assert [o.data for o in again.observations.history(A)] == [{"user_count": 7}]


def test_an_observation_needs_a_resource_id(journal: Journal) -> None:
    with pytest.raises(ValueError):
        journal.observations.record(ResourceKey("appizer", "app-1", "audience", None), {})
