"""Three HTTP replicas on one PostgreSQL state store and one sandbox: the safety net holds across them.

Real processes (`audience-mcp --transport http`), started at the same moment, a real PostgreSQL
(tests/support/postgres.py), the standalone sandbox with latency so requests interleave, and
the SDK client, pinned to one replica or behind a round-robin balancer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import mcp_types
import psycopg
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from audience_mcp.core.store import postgres
from tests.support.campaigns import StandaloneSandbox, error_message, standalone_sandbox
from tests.support.harness import Answer
from tests.support.postgres import PostgresServer
from tests.support.replicas import KEYS, Replica, RoundRobin, replica_client, replica_processes

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

START = {"name": "Replica leaders", "min_age": 25, "max_age": 45, "residence": "Berlin", "interests": ["AI"]}
LATENCY = [0.002, 0.01]


class Team:
    def __init__(self, sandbox: StandaloneSandbox, replicas: list[Replica], state_db: str) -> None:
        self.sandbox = sandbox
        self.replicas = replicas
        self.state_db = state_db


@pytest.fixture(scope="module")
def team(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    directory = tmp_path_factory.mktemp("replicas")
    state_db = postgres_server.create_database()
    with (
        standalone_sandbox(directory / "sandbox") as sandbox,
        replica_processes(directory, sandbox, state_db, count=3) as replicas,
    ):
        yield Team(sandbox, replicas, state_db)


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error and result.structured_content is not None, error_message(tool, result)
    return result.structured_content


async def created_audience(client: Client, name: str) -> str:
    created = await call(client, "neuroflash_create_audience", **{**START, "name": name})
    return str(created["audience"]["id"])


def test_replicas_started_at_the_same_moment_migrated_the_store_once(team: Team) -> None:
    with psycopg.connect(team.state_db) as connection:
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, postgres.VERSION + 1))
    assert len(team.replicas) == 3 and all(r.process.poll() is None for r in team.replicas)


async def test_a_delete_previewed_on_one_replica_is_confirmed_on_another_once(team: Team) -> None:
    first, second, third = team.replicas
    async with replica_client([first]) as one, replica_client([second]) as two, replica_client([third]) as three:
        audience_id = await created_audience(one, "Previewed on one")
        preview = await call(one, "neuroflash_delete_audience", audience_id=audience_id)
        assert preview["status"] == "confirmation_required"
        token = preview["confirm_token"]

        deleted = await call(two, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token)
        again = await three.call_tool(
            "neuroflash_delete_audience", {"audience_id": audience_id, "confirm_token": token}
        )

    assert deleted["status"] == "deleted" and audience_id not in team.sandbox.audiences()
    assert again.is_error and "already used or expired" in error_message("neuroflash_delete_audience", again)


async def test_a_question_one_replica_asks_is_answered_on_another(team: Team) -> None:
    """2026-07-28: the answer comes back in a new request, which the balancer sends elsewhere."""
    answer = Answer("accept", {"confirm": True})

    async with replica_client(team.replicas[:1]) as pinned:
        audience_id = await created_audience(pinned, "Asked on one")
    balancer = RoundRobin([r.base for r in team.replicas[:2]])
    async with replica_client(team.replicas, balancer=balancer, elicitation_callback=answer) as balanced:
        sent_before = len(balancer.sent)
        deleted = await call(balanced, "neuroflash_delete_audience", audience_id=audience_id)
        calls = balancer.sent[sent_before:]

    assert answer.questions and "Asked on one" in answer.questions[0]
    assert len(set(calls)) == 2, f"the question and its answer went to one replica: {calls}"
    assert deleted["status"] == "deleted" and audience_id not in team.sandbox.audiences()


async def test_twenty_concurrent_partial_updates_through_two_replicas_lose_nothing(team: Team) -> None:
    first, second = team.replicas[:2]
    results: list[mcp_types.CallToolResult] = []
    async with replica_client([first]) as one, replica_client([second]) as two:
        audience_id = await created_audience(one, "Updated from two replicas")
        team.sandbox.configure_faults(latency=LATENCY)
        try:

            async def add(client: Client, interest: str) -> None:
                arguments = {"audience_id": audience_id, "add_interests": [interest]}
                results.append(await client.call_tool("neuroflash_update_audience", arguments))

            with anyio.fail_after(90):
                async with anyio.create_task_group() as group:
                    for n in range(10):
                        group.start_soon(add, one, f"first replica {n:02d}")
                        group.start_soon(add, two, f"second replica {n:02d}")
        finally:
            team.sandbox.clear_faults()

    failures = [error_message("neuroflash_update_audience", r) for r in results if r.is_error]
    assert not failures, failures[:3]
    stored = team.sandbox.audiences()[audience_id]["interests"]
    expected = {"AI", *(f"{name} replica {n:02d}" for name in ("first", "second") for n in range(10))}
    assert set(stored) == expected, f"lost: {sorted(expected - set(stored))}"


async def test_concurrent_restores_of_one_delete_through_three_replicas_recreate_it_once(team: Team) -> None:
    clients: list[Client] = []
    async with (
        replica_client(team.replicas[:1]) as one,
        replica_client(team.replicas[1:2]) as two,
        replica_client(team.replicas[2:]) as three,
    ):
        clients = [one, two, three]
        audience_id = await created_audience(one, "Restored once")
        token = (await call(one, "neuroflash_delete_audience", audience_id=audience_id))["confirm_token"]
        change_id = (await call(two, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=token))[
            "change_id"
        ]
        results: list[mcp_types.CallToolResult] = []

        async def restore(client: Client) -> None:
            results.append(await client.call_tool("restore_change", {"change_id": change_id}))

        team.sandbox.configure_faults(latency=LATENCY)
        try:
            async with anyio.create_task_group() as group:
                for client in clients * 2:
                    group.start_soon(restore, client)
        finally:
            team.sandbox.clear_faults()

    restored = [r for r in results if not r.is_error and (r.structured_content or {}).get("status") == "restored"]
    assert len(restored) == 1, [error_message("restore_change", r) for r in results]
    named = [a for a in team.sandbox.audiences().values() if a["name"] == "Restored once"]
    assert len(named) == 1


async def test_without_the_same_request_state_keys_an_answer_on_another_replica_is_refused(
    team: Team, tmp_path: Path
) -> None:
    """What AUDIENCE_MCP_REQUEST_STATE_KEYS is for: a replica cannot open another's sealed state."""
    other_keys = KEYS.replace("replica", "another")
    with replica_processes(
        tmp_path, team.sandbox, team.state_db, count=1, AUDIENCE_MCP_REQUEST_STATE_KEYS=other_keys
    ) as (stranger,):
        async with replica_client(team.replicas[:1]) as pinned:
            audience_id = await created_audience(pinned, "Asked elsewhere")
        answer = Answer("accept", {"confirm": True})
        async with replica_client([team.replicas[0], stranger], elicitation_callback=answer) as balanced:
            with pytest.raises(MCPError) as refused:
                await balanced.call_tool("neuroflash_delete_audience", {"audience_id": audience_id})

    assert answer.questions and audience_id in team.sandbox.audiences()
    assert refused.value.error.data == {"reason": "invalid_request_state"}


async def test_a_client_of_the_older_protocol_is_served_by_any_replica(team: Team) -> None:
    """Stateless HTTP: no session ties a 2025-11-25 client to the replica it initialized with."""
    answer = Answer("accept", {"confirm": True})
    balancer = RoundRobin([r.base for r in team.replicas])
    async with replica_client(team.replicas, balancer=balancer, mode="legacy", elicitation_callback=answer) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        audience_id = await created_audience(client, "Legacy client")
        preview = await call(client, "neuroflash_delete_audience", audience_id=audience_id)
        deleted = await call(
            client, "neuroflash_delete_audience", audience_id=audience_id, confirm_token=preview["confirm_token"]
        )

    assert "neuroflash_delete_audience" in names and len(set(balancer.sent)) == 3
    # No replica can ask it mid-call (the answer could reach another), so it gets the token flow.
    assert preview["status"] == "confirmation_required" and answer.questions == []
    assert deleted["status"] == "deleted" and audience_id not in team.sandbox.audiences()
