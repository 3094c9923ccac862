"""The audience platforms this server knows, by name -> the module holding its `PLATFORM`.

Only this table names them; a platform's module is imported when the server enables it.
"""

from __future__ import annotations

import importlib

from audience_mcp.core.platform import Platform

PLATFORM_MODULES = {
    "neuroflash": "audience_mcp.platforms.neuroflash.platform",
    "digital_audience": "audience_mcp.platforms.digital_audience.platform",
    "appizer": "audience_mcp.platforms.appizer.platform",
}


def load_platform(name: str) -> Platform:
    platform: Platform = importlib.import_module(PLATFORM_MODULES[name]).PLATFORM
    return platform
