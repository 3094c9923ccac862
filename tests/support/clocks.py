"""Stand-ins for time: a sleep that records its waits, and a clock a test moves by hand."""

from __future__ import annotations


class RecordedSleep:
    """Stands in for anyio.sleep in the client: records each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
