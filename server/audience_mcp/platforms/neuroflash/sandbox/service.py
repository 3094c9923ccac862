"""The sandbox's behaviour behind the HTTP routes: permissions, limits and response shapes.

Permissions, as the reference states them: only the creator may update or delete an
audience (and, by the same rule, change or remove its image). Other accounts of the
workspace see an audience only when it is ``shared``; for them an unshared one does not
exist (404, not 403, so private audiences do not leak). Anyone who can see an audience may
duplicate it and record a usage. The ``_embedded.permissions`` and version-B
``newPermissions`` objects are computed for the caller.

The limit counts every audience in the workspace, whoever created it, and is checked
atomically with the insert (see :mod:`.store`).
"""

from __future__ import annotations

from urllib.parse import quote

from audience_mcp.core.sandboxkit.clock import iso_ms
from audience_mcp.core.sandboxkit.faults import FaultInjector, Stats
from audience_mcp.core.sandboxkit.jsonio import JsonObject, JsonValue
from audience_mcp.platforms.neuroflash.sandbox.accounts import (
    Account,
    TokenRegistry,
    Workspace,
    account_by_user_id,
    accounts_with_secrets,
    build_workspaces,
)
from audience_mcp.platforms.neuroflash.sandbox.config import SandboxConfig
from audience_mcp.platforms.neuroflash.sandbox.errors import (
    audience_not_found,
    image_not_found,
    insufficient_permissions,
    limit_reached,
    workspace_not_found,
)
from audience_mcp.platforms.neuroflash.sandbox.records import AudienceRecord, ImageRecord, LimitReached
from audience_mcp.platforms.neuroflash.sandbox.store import Store
from audience_mcp.platforms.neuroflash.sandbox.validation import (
    NAME_MAX,
    SERVER_OWNED_FIELDS,
    ImageUpload,
    ListParams,
    truncate_utf16,
)

COPY_SUFFIX = " (Copy)"


class Sandbox:
    """One emulated neuroflash backend: store, tokens, faults and stats."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.db_path, config.clock)
        self.faults = FaultInjector(config.seed)
        self.stats = Stats()
        self.tokens = TokenRegistry(config.clock, config.token_lifetime_seconds)
        self.workspaces: tuple[Workspace, ...] = build_workspaces(config.extra_workspaces)
        self.accounts: tuple[Account, ...] = accounts_with_secrets(config.client_secrets)

    def close(self) -> None:
        self.store.close()

    # -- lookups ----------------------------------------------------------------------------

    def account_by_client_id(self, client_id: str) -> Account | None:
        """The account with this client id, carrying the secret this sandbox accepts."""
        return next((a for a in self.accounts if a.client_id == client_id), None)

    def workspaces_of(self, account: Account) -> list[Workspace]:
        return [w for w in self.workspaces if w.role_of(account.user_id) is not None]

    def require_workspace(self, account: Account, workspace_id: str) -> Workspace:
        for workspace in self.workspaces:
            if workspace.id == workspace_id and workspace.role_of(account.user_id) is not None:
                return workspace
        raise workspace_not_found()

    def require_visible(self, account: Account, workspace_id: str, audience_id: str) -> AudienceRecord:
        record = self.store.get(audience_id)
        if (
            record is None
            or record.workspace_id != workspace_id
            or not (record.shared or record.created_by_user_id == account.user_id)
        ):
            raise audience_not_found()
        return record

    def require_creator(self, account: Account, workspace_id: str, audience_id: str) -> AudienceRecord:
        record = self.require_visible(account, workspace_id, audience_id)
        if record.created_by_user_id != account.user_id:
            raise insufficient_permissions()
        return record

    # -- operations -------------------------------------------------------------------------

    def create(self, account: Account, workspace_id: str, body: JsonObject) -> AudienceRecord:
        try:
            return self.store.create(
                workspace_id,
                body,
                created_by_user_id=account.user_id,
                owner_customer_id=account.customer_id,
                limit=self.config.create_limit,
            )
        except LimitReached as exc:
            raise limit_reached(exc.usage, exc.limit) from None

    def list(self, account: Account, workspace_id: str, params: ListParams) -> tuple[int, list[AudienceRecord]]:
        return self.store.list_visible(
            workspace_id,
            account.user_id,
            search=params.search,
            country=params.country,
            native_language=params.native_language,
            offset=(params.page - 1) * params.size,
            limit=params.size,
        )

    def replace(self, account: Account, workspace_id: str, audience_id: str, body: JsonObject) -> AudienceRecord:
        self.require_creator(account, workspace_id, audience_id)
        record = self.store.replace(audience_id, body)
        if record is None:  # deleted concurrently
            raise audience_not_found()
        return record

    def delete(self, account: Account, workspace_id: str, audience_id: str) -> None:
        self.require_creator(account, workspace_id, audience_id)
        self.store.delete(audience_id)

    def duplicate(
        self, account: Account, workspace_id: str, audience_id: str, new_name: str | None
    ) -> tuple[AudienceRecord, AudienceRecord]:
        original = self.require_visible(account, workspace_id, audience_id)
        body = dict(original.body)
        for key in SERVER_OWNED_FIELDS:
            body.pop(key, None)
        if new_name is None:
            base = original.body.get("name")
            base_name = base if isinstance(base, str) else "Target audience"
            new_name = truncate_utf16(base_name, NAME_MAX - len(COPY_SUFFIX)) + COPY_SUFFIX
        body["name"] = new_name
        try:
            duplicate = self.store.duplicate(
                original,
                body,
                created_by_user_id=account.user_id,
                owner_customer_id=account.customer_id,
                limit=self.config.create_limit,
            )
        except LimitReached as exc:
            raise limit_reached(exc.usage, exc.limit) from None
        return duplicate, original

    def put_image(self, account: Account, workspace_id: str, audience_id: str, upload: ImageUpload) -> ImageRecord:
        self.require_creator(account, workspace_id, audience_id)
        return self.store.put_image(audience_id, upload, account.user_id)

    def get_image(self, account: Account, workspace_id: str, audience_id: str) -> ImageRecord:
        self.require_visible(account, workspace_id, audience_id)
        image = self.store.get_image(audience_id)
        if image is None:
            raise image_not_found()
        return image

    def delete_image(self, account: Account, workspace_id: str, audience_id: str) -> None:
        self.require_creator(account, workspace_id, audience_id)
        if not self.store.delete_image(audience_id):
            raise image_not_found()

    def record_usage(self, account: Account, workspace_id: str, audience_id: str) -> None:
        self.require_visible(account, workspace_id, audience_id)
        self.store.mark_viewed(audience_id)

    def limits(self, workspace_id: str) -> JsonObject:
        usage = self.store.count(workspace_id)
        limit = self.config.create_limit
        # Docs are silent on the unlimited case; "limit": 0 with isUnlimited true is assumed.
        return {
            "create": {
                "isAvailable": limit is None or usage < limit,
                "isUnlimited": limit is None,
                "limit": 0 if limit is None else limit,
                "usage": usage,
            }
        }

    # -- rendering --------------------------------------------------------------------------

    @staticmethod
    def render_image(image: ImageRecord, base_url: str) -> JsonObject:
        url = (
            f"{base_url.rstrip('/')}/sandbox-storage/audience-images/"
            f"{quote(image.id, safe='')}/{quote(image.file_name, safe='')}"
        )
        return {
            "createdAt": iso_ms(image.created_at),
            "createdByUserId": image.created_by_user_id,
            "fileName": image.file_name,
            "id": image.id,
            "targetAudienceId": image.audience_id,
            "updatedAt": iso_ms(image.updated_at),
            "url": url,
        }

    def render(self, record: AudienceRecord, viewer: Account, base_url: str) -> JsonObject:
        """The audience as the API returns it to ``viewer`` (keys sorted like the reference)."""
        is_creator = record.created_by_user_id == viewer.user_id
        creator = account_by_user_id(record.created_by_user_id)
        embedded: dict[str, JsonValue] = {}
        embedded["createdByCustomer"] = (
            creator.created_by_customer()
            if creator
            else {"email": None, "hadTrial": None, "legacyId": record.owner_customer_id, "name": None}
        )
        if record.image is not None:
            embedded["image"] = self.render_image(record.image, base_url)
        embedded["permissions"] = {
            "canDelete": is_creator,
            "canDuplicate": True,
            "canUpdate": is_creator,
            "canView": True,
        }
        fields: dict[str, JsonValue] = {k: v for k, v in record.body.items() if k not in SERVER_OWNED_FIELDS}
        fields.update(
            {
                "createdAt": iso_ms(record.created_at),
                "createdByUserId": record.created_by_user_id,
                "id": record.id,
                "newPermissions": {
                    "deletionAllowed": is_creator,
                    "duplicationAllowed": True,
                    "updateAllowed": is_creator,
                    "viewingAllowed": True,
                },
                "ownerCustomerId": record.owner_customer_id,
                "updatedAt": iso_ms(record.updated_at),
                "viewedAt": None if record.viewed_at is None else iso_ms(record.viewed_at),
                "workspaceId": record.workspace_id,
            }
        )
        rendered: dict[str, JsonValue] = {"_embedded": embedded}
        for key in sorted(fields):
            rendered[key] = fields[key]
        return rendered
