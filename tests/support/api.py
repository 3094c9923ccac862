"""Helpers the client tests share: the guide's profile, the sandbox's workspace."""

from __future__ import annotations

import copy
from typing import Any

from audience_mcp.platforms.neuroflash.api import AudienceProfile, NeuroflashClient
from tests.support import GUIDE_BODY


def guide_profile(**changes: Any) -> AudienceProfile:
    body = copy.deepcopy(GUIDE_BODY)
    body.update(changes)
    return AudienceProfile.model_validate(body)


async def workspace(client: NeuroflashClient) -> str:
    return (await client.list_workspaces())[0].id
