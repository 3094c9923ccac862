"""The confirmation protocol on its own: tokens bound to one request, single use, ten minutes.

Each test runs on the three places a pending confirmation can live: one process's memory, the
SQLite state store, and the PostgreSQL state store that replicas share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from mcp.server.elicitation import AcceptedElicitation, CancelledElicitation, DeclinedElicitation
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from audience_mcp.core.mcp.confirmations import (
    Confirmation,
    Confirmations,
    Confirmed,
    Declined,
    NeedsConfirmation,
    Request,
    ask,
    confirm,
)
from audience_mcp.core.store.journal import Journal
from audience_mcp.core.store.pending import MemoryPending, PendingStore

DELETE = Request(
    platform="digital_audience",
    resource_type="segment",
    resource_id="seg-1",
    action="delete",
    tool="da_delete_segment",
    arguments={"segment_id": "seg-1"},
    scope="account-1",
)
PREVIEW = {"id": "seg-1", "name": "Runners"}


class Segment(BaseModel):
    """A payload like the platforms': wire names, and a share that must come back exact."""

    segment_id: str = Field(alias="segmentId")
    share: Decimal


FULL = Segment(segmentId="seg-1", share=Decimal("0.3300"))
# What the SDK injects when `ask` returns None (no question was asked).
NO_QUESTION = AcceptedElicitation[Any].model_construct(data=None)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[PendingStore]:
    if request.param == "memory":
        yield MemoryPending()
        return
    journal = Journal(":memory:" if request.param == "sqlite" else request.getfixturevalue("postgres_url"))
    try:
        yield journal.confirmations
    finally:
        journal.close()


@pytest.fixture
def make(store: PendingStore) -> Callable[..., Confirmations]:
    return lambda **kwargs: Confirmations(store=store, **kwargs)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def issue(confirmations: Confirmations, request: Request = DELETE) -> NeedsConfirmation:
    outcome = confirm(confirmations, request, decision=NO_QUESTION, token=None, preview=PREVIEW, payload=FULL)
    assert isinstance(outcome, NeedsConfirmation)
    return outcome


def test_a_first_call_without_a_question_issues_a_token_with_the_preview(make: Callable[..., Confirmations]) -> None:
    outcome = issue(make(clock=Clock()))

    assert outcome.token and outcome.preview == PREVIEW
    assert outcome.expires_in_seconds == 600
    assert "da_delete_segment again with confirm_token" in outcome.message


def test_the_token_confirms_once_and_hands_back_preview_and_payload(make: Callable[..., Confirmations]) -> None:
    confirmations = make()
    token = issue(confirmations).token

    done = confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None, payload_type=Segment)

    assert done == Confirmed(preview=PREVIEW, payload=FULL)
    assert isinstance(done.payload.share, Decimal) and str(done.payload.share) == "0.3300"
    with pytest.raises(ToolError, match=r"already used or expired.*da_delete_segment\(segment_id='seg-1'\)"):
        confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(replace(DELETE, resource_id="seg-2", arguments={"segment_id": "seg-2"}), id="resource"),
        pytest.param(replace(DELETE, action="activate", tool="da_activate_segment"), id="action"),
        pytest.param(replace(DELETE, tool="restore_change", arguments={"change_id": 3}), id="tool"),
        pytest.param(replace(DELETE, platform="neuroflash"), id="platform"),
        pytest.param(replace(DELETE, resource_type="audience"), id="resource_type"),
        pytest.param(replace(DELETE, scope="account-2"), id="scope"),
    ],
)
def test_a_token_confirms_nothing_but_its_own_request(other: Request, make: Callable[..., Confirmations]) -> None:
    confirmations = make()
    token = issue(confirmations).token

    with pytest.raises(ToolError) as refused:
        confirm(confirmations, other, decision=NO_QUESTION, token=token, preview=None)

    assert "issued for segment 'seg-1' (delete, da_delete_segment(segment_id='seg-1'))" in str(refused.value)
    assert f"Call {other.call} without a token" in str(refused.value)
    # The refused token still confirms what it was issued for.
    assert isinstance(confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None), Confirmed)


@pytest.mark.parametrize(("elapsed", "valid"), [(599.0, True), (600.0, False)])
def test_a_token_lasts_ten_minutes_on_the_injected_clock(
    elapsed: float, valid: bool, make: Callable[..., Confirmations]
) -> None:
    clock = Clock()
    confirmations = make(clock=clock)
    token = issue(confirmations).token

    clock.now += elapsed

    if valid:
        assert isinstance(confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None), Confirmed)
    else:
        with pytest.raises(ToolError, match="tokens last 10 minutes"):
            confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        pytest.param(AcceptedElicitation(data=Confirmation(confirm=True)), Confirmed(PREVIEW, FULL), id="yes"),
        pytest.param(AcceptedElicitation(data=Confirmation(confirm=False)), Declined(True, ""), id="no"),
        pytest.param(DeclinedElicitation(), Declined(False, ""), id="decline"),
        pytest.param(CancelledElicitation(), Declined(False, ""), id="cancel"),
    ],
)
def test_the_users_answer_decides_and_issues_no_token(decision: Any, expected: Confirmed | Declined) -> None:
    issued: list[str] = []

    class Recording(MemoryPending):
        def put(self, token: str, request_key: str, record: str, *, expires_at: float, now: float) -> None:
            issued.append(token)

    confirmations = Confirmations(store=Recording())

    outcome = confirm(confirmations, DELETE, decision=decision, token=None, preview=PREVIEW, payload=FULL)

    if isinstance(expected, Declined):
        assert isinstance(outcome, Declined) and outcome.answered_no is expected.answered_no
        assert "nothing was done" in outcome.message
    else:
        assert outcome == expected
    assert issued == []


@pytest.mark.parametrize(
    ("capabilities", "question", "asks"),
    [
        pytest.param(SimpleNamespace(elicitation=object()), "Delete it?", True, id="can-be-asked"),
        pytest.param(SimpleNamespace(elicitation=None), "Delete it?", False, id="no-elicitation"),
        pytest.param(None, "Delete it?", False, id="no-capabilities"),
        pytest.param(SimpleNamespace(elicitation=object()), None, False, id="no-question"),
    ],
)
def test_ask_asks_only_a_client_that_can_be_asked(capabilities: Any, question: str | None, asks: bool) -> None:
    ctx: Any = SimpleNamespace(client_capabilities=capabilities)

    marker = ask(question, ctx, Confirmation)

    if asks:
        assert marker is not None and marker.message == question and marker.schema is Confirmation
    else:
        assert marker is None


def test_a_token_issued_by_one_process_is_redeemed_once_by_another(postgres_url: str) -> None:
    """Two servers on one PostgreSQL store (replicas): either may redeem, only once."""
    first, second = Journal(postgres_url), Journal(postgres_url)
    try:
        token = issue(Confirmations(store=first.confirmations)).token
        on_second = Confirmations(store=second.confirmations)

        done = confirm(on_second, DELETE, decision=NO_QUESTION, token=token, preview=None, payload_type=Segment)

        assert done == Confirmed(preview=PREVIEW, payload=FULL)
        with pytest.raises(ToolError, match="already used or expired"):
            confirm(Confirmations(store=first.confirmations), DELETE, decision=NO_QUESTION, token=token, preview=None)
    finally:
        first.close()
        second.close()


def test_the_store_keeps_no_token_that_confirms_anything(postgres_url: str) -> None:
    journal = Journal(postgres_url)
    try:
        token = issue(Confirmations(store=journal.confirmations)).token
        with journal._transaction() as db:
            rows = db.execute("SELECT * FROM confirmations").fetchall()
    finally:
        journal.close()
    assert len(rows) == 1 and token not in str(rows)
