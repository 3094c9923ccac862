"""What the caller may do with an audience, checked before anyone is asked anything.

The API tells per audience (`_embedded.permissions`): only its creator may update or delete
it. A confirmation for a delete that will fail, or a preview of an update that will be
refused, wastes the user's attention, so the tools refuse at once and say who can do it.
A permission the API did not send (None) is not guessed: the API decides then.
"""

from __future__ import annotations

from audience_mcp.core.mcp.quoting import quoted
from audience_mcp.platforms.neuroflash.api import Audience
from audience_mcp.platforms.neuroflash.tools.errors import tool_error


def creator(audience: Audience) -> str:
    """Who created the audience, as far as the API says: name, e-mail or user id."""
    customer = audience.embedded.created_by_customer if audience.embedded else None
    who = [quoted(value) for value in (customer.name, customer.email) if value] if customer else []
    if audience.created_by_user_id:
        who.append(f"user id {quoted(audience.created_by_user_id)}")
    return ", ".join(who) if who else "the user who created it"


def _subject(audience: Audience) -> str:
    return f"audience {quoted(audience.name or '')} (id {quoted(audience.id)})"


def may_delete(audience: Audience) -> bool:
    """False only when the API says these credentials may not delete it."""
    permissions = audience.embedded.permissions if audience.embedded else None
    return permissions is None or permissions.can_delete is not False


def require_deletable(audience: Audience) -> None:
    """Refuse a delete these credentials may not make: only the creator can delete an audience."""
    if not may_delete(audience):
        raise tool_error(
            f"Not deleted: only the creator of {_subject(audience)} can delete it ({creator(audience)}), and these "
            "credentials are not theirs. Ask its creator to delete it; nothing was changed."
        )


def require_updatable(audience: Audience, change: str) -> None:
    """Refuse a change (`change`: e.g. "update it") these credentials may not make."""
    permissions = audience.embedded.permissions if audience.embedded else None
    if permissions is not None and permissions.can_update is False:
        raise tool_error(
            f"Not allowed to {change}: only the creator of {_subject(audience)} can change it ({creator(audience)}), "
            "and these credentials are not theirs; nothing was changed. To get a version you can change, copy it "
            "with neuroflash_duplicate_audience and change the copy, or ask its creator."
        )
