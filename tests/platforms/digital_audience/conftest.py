"""Digital Audience fixtures live in tests/support/digital_audience.py."""

from tests.support.digital_audience import (  # noqa: F401 - fixtures, registered here by import
    _no_platform_environment,
    api,
    da,
    da_client,
    make_da_server,
    sandbox_app,
)
