"""The plan limit counts every audience in the workspace and can never be overshot."""

from __future__ import annotations

import threading
from collections.abc import Callable

import anyio
import pytest
from starlette.applications import Starlette

from audience_mcp.platforms.neuroflash.sandbox import SANDBOX_WORKSPACE_ID
from audience_mcp.platforms.neuroflash.sandbox.records import LimitReached
from tests.support.sandbox import connect, guide_body

pytestmark = pytest.mark.anyio


async def test_creating_past_the_limit_is_403_limit_reached(make_app: Callable[..., Starlette]) -> None:
    async with connect(make_app(create_limit=2)) as api:
        await api.create_ok()
        await api.create_ok()

        response = await api.create()

        assert response.status_code == 403
        assert response.json() == {
            "error": "Target audience limit reached (2 of 2)",
            "code": "TARGET_AUDIENCE_LIMIT_REACHED",
        }
        limits = (await api.request("GET", api.path("/limits/target-audiences"))).json()
        assert limits == {"create": {"isAvailable": False, "isUnlimited": False, "limit": 2, "usage": 2}}


async def test_duplicating_counts_against_the_limit(make_app: Callable[..., Starlette]) -> None:
    async with connect(make_app(create_limit=1)) as api:
        created = await api.create_ok()

        response = await api.request("POST", api.audience(created["id"], "/duplication"))

        assert response.status_code == 403
        assert response.json()["code"] == "TARGET_AUDIENCE_LIMIT_REACHED"


async def test_usage_counts_every_member_and_deleting_frees_a_slot(make_app: Callable[..., Starlette]) -> None:
    app = make_app(create_limit=2)
    async with connect(app) as api:
        api2 = await api.as_account(1)
        await api.create_ok(shared=False)
        theirs = await api2.create_ok(shared=False)

        assert (await api.create()).status_code == 403
        assert app.state.sandbox.store.count(SANDBOX_WORKSPACE_ID) == 2

        await api2.request("DELETE", api2.audience(theirs["id"]))
        assert (await api.create()).status_code == 201


async def test_an_unlimited_plan_reports_unlimited_and_always_available(make_app: Callable[..., Starlette]) -> None:
    async with connect(make_app(create_limit=None)) as api:
        await api.create_ok()

        limits = (await api.request("GET", api.path("/limits/target-audiences"))).json()

        assert limits["create"]["isUnlimited"] is True
        assert limits["create"]["isAvailable"] is True
        assert limits["create"]["usage"] == 1


async def test_30_concurrent_creates_with_limit_10_let_exactly_10_through(make_app: Callable[..., Starlette]) -> None:
    app = make_app(create_limit=10)
    statuses: list[int] = []

    async def create(index: int) -> None:
        statuses.append((await api.create(name=f"Concurrent {index}")).status_code)

    async with connect(app) as api, anyio.create_task_group() as group:
        for index in range(30):
            group.start_soon(create, index)

    assert sorted(statuses) == [201] * 10 + [403] * 20
    assert app.state.sandbox.store.count(SANDBOX_WORKSPACE_ID) == 10


def test_the_store_keeps_the_limit_under_threads_too(make_app: Callable[..., Starlette]) -> None:
    sandbox = make_app(create_limit=5).state.sandbox
    results: list[bool] = []
    lock = threading.Lock()

    def create() -> None:
        try:
            sandbox.store.create(
                SANDBOX_WORKSPACE_ID, guide_body(), created_by_user_id="u", owner_customer_id=1, limit=5
            )
            ok = True
        except LimitReached:
            ok = False
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=create) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(True) == 5
    assert sandbox.store.count(SANDBOX_WORKSPACE_ID) == 5
