"""The two types every normalizer shares: the error a model can act on, and a value with its notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class NormalizationError(ValueError):
    """An input the normalizers cannot turn into something the API accepts.

    ``field`` is the tool parameter name (snake_case) and ``message`` is a sentence that says
    what was wrong and what to send instead; ``str(err)`` is the message, so a tool can hand it
    to the model unchanged.
    """

    field: str
    message: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"NormalizationError(field={self.field!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[NormalizationError], tuple[str, str]]:
        # ValueError pickles with its args only; keep both fields across process boundaries.
        return (type(self), (self.field, self.message))


@dataclass(frozen=True)
class Adjusted(Generic[T]):
    """A normalized value plus one short sentence per change made to reach it.

    An input that was already canonical comes back with ``adjustments == ()``.
    """

    value: T
    adjustments: tuple[str, ...] = ()
