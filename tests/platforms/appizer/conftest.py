"""Appizer's fixtures live in tests/support/appizer.py (and the environment isolation in harness.py)."""

from tests.support.appizer import appizer, appizer_client, make_appizer  # noqa: F401 - fixtures
from tests.support.harness import _isolated_environment  # noqa: F401 - fixture
