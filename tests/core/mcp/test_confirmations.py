"""The confirmation protocol on its own: tokens bound to one request, single use, ten minutes."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from mcp.server.elicitation import AcceptedElicitation, CancelledElicitation, DeclinedElicitation
from mcp.server.mcpserver.exceptions import ToolError

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
# What the SDK injects when `ask` returns None (no question was asked).
NO_QUESTION = AcceptedElicitation[Any].model_construct(data=None)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def issue(confirmations: Confirmations, request: Request = DELETE) -> NeedsConfirmation:
    outcome = confirm(confirmations, request, decision=NO_QUESTION, token=None, preview=PREVIEW, payload="full")
    assert isinstance(outcome, NeedsConfirmation)
    return outcome


def test_a_first_call_without_a_question_issues_a_token_with_the_preview() -> None:
    outcome = issue(Confirmations(clock=Clock()))

    assert outcome.token and outcome.preview == PREVIEW
    assert outcome.expires_in_seconds == 600
    assert "da_delete_segment again with confirm_token" in outcome.message


def test_the_token_confirms_once_and_hands_back_preview_and_payload() -> None:
    confirmations = Confirmations()
    token = issue(confirmations).token

    done = confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None)

    assert done == Confirmed(preview=PREVIEW, payload="full")
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
def test_a_token_confirms_nothing_but_its_own_request(other: Request) -> None:
    confirmations = Confirmations()
    token = issue(confirmations).token

    with pytest.raises(ToolError) as refused:
        confirm(confirmations, other, decision=NO_QUESTION, token=token, preview=None)

    assert "issued for segment 'seg-1' (delete, da_delete_segment(segment_id='seg-1'))" in str(refused.value)
    assert f"Call {other.call} without a token" in str(refused.value)
    # The refused token still confirms what it was issued for.
    assert isinstance(confirm(confirmations, DELETE, decision=NO_QUESTION, token=token, preview=None), Confirmed)


@pytest.mark.parametrize(("elapsed", "valid"), [(599.0, True), (600.0, False)])
def test_a_token_lasts_ten_minutes_on_the_injected_clock(elapsed: float, valid: bool) -> None:
    clock = Clock()
    confirmations = Confirmations(clock=clock)
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
        pytest.param(AcceptedElicitation(data=Confirmation(confirm=True)), Confirmed(PREVIEW, "full"), id="yes"),
        pytest.param(AcceptedElicitation(data=Confirmation(confirm=False)), Declined(True, ""), id="no"),
        pytest.param(DeclinedElicitation(), Declined(False, ""), id="decline"),
        pytest.param(CancelledElicitation(), Declined(False, ""), id="cancel"),
    ],
)
def test_the_users_answer_decides_and_issues_no_token(decision: Any, expected: Confirmed | Declined) -> None:
    confirmations = Confirmations()

    outcome = confirm(confirmations, DELETE, decision=decision, token=None, preview=PREVIEW, payload="full")

    if isinstance(expected, Declined):
        assert isinstance(outcome, Declined) and outcome.answered_no is expected.answered_no
        assert "nothing was done" in outcome.message
    else:
        assert outcome == expected
    assert confirmations._pending == {}


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
