"""The journal store: pending-first recording, failures, ordering, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from audience_mcp.core.store.journal import Journal


def test_a_write_is_recorded_pending_before_it_is_sent_and_completed_after(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "journal.db"))
    with journal.recording(
        tool="neuroflash_update_audience", action="update", workspace_id="ws", audience_id="a1", before={"name": "Old"}
    ) as recording:
        pending = journal.get(recording.change_id)
        assert pending is not None and pending.status == "pending" and pending.before == {"name": "Old"}
        recording.succeeded(after={"name": "New"})
    change = journal.get(recording.change_id)
    assert change is not None and change.status == "succeeded" and change.after == {"name": "New"}


def test_a_write_that_raises_is_recorded_as_failed_with_its_message() -> None:
    journal = Journal(":memory:")
    with (
        pytest.raises(RuntimeError),
        journal.recording(tool="neuroflash_create_audience", action="create", workspace_id="ws", audience_id=None),
    ):
        raise RuntimeError("plan limit reached")
    (change,) = journal.recent()
    assert change.status == "failed" and change.error == "plan limit reached"


def test_a_block_that_forgets_to_record_its_result_is_not_called_a_success() -> None:
    journal = Journal(":memory:")
    with journal.recording(tool="t", action="update", workspace_id="ws", audience_id="a"):
        pass
    assert journal.recent()[0].status == "failed"


def test_recent_is_newest_first_and_filters_by_audience() -> None:
    journal = Journal(":memory:")
    for audience in ("a", "b", "a"):
        with journal.recording(tool="t", action="update", workspace_id="ws", audience_id=audience) as r:
            r.succeeded(after=None)
    assert [c.id for c in journal.recent()] == [3, 2, 1]
    assert [c.id for c in journal.recent(audience_id="a")] == [3, 1]
    assert len(journal.recent(limit=1)) == 1


def test_the_journal_survives_reopening_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nested" / "journal.db")
    first = Journal(path)
    with first.recording(tool="t", action="delete", workspace_id="ws", audience_id="a", before={"name": "Kept"}) as r:
        r.succeeded(after=None)
    first.close()
    second = Journal(path)
    (change,) = second.recent()
    assert change.before == {"name": "Kept"} and second.integrity_ok()
