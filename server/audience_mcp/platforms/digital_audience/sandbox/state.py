"""The sandbox's data: sessions, campaigns, CRM audiences, platform accounts (in memory).

Kept in memory on purpose: a session, a campaign and an audience are all a test needs, and the
real service's storage is not what is emulated. Audiences are stored as wire dicts with the
documented fields (the seed's create example) so the answers have exactly that shape.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from audience_mcp.platforms.digital_audience.sandbox.config import SandboxConfig

NODATA, PROCESSING, READY = "NODATA", "PROCESSING", "READY"
# audienceStateId per state; 5 for NODATA is the seed's, the others are the sandbox's choice.
STATE_IDS = {NODATA: 5, PROCESSING: 2, READY: 1}
DATA_TYPES = ("EMAIL", "PHONE", "POSTALADDRESS", "SECURITYNUMBER", "AAID")
FIRST_AUDIENCE_ID = 69249


class SandboxError(Exception):
    """An error answer: HTTP status and the wrapper's message."""

    def __init__(self, status: int, message: str, status_code: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.status_code = status_code


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.sessions: dict[str, tuple[int, float]] = {}
            self.campaigns: dict[int, dict[str, Any]] = {}
            self.audiences: dict[int, dict[str, Any]] = {}
            self.activations: list[dict[str, Any]] = []
            self.logins = 0
            self._next_campaign = 1001
            self._next_audience = FIRST_AUDIENCE_ID
            self._next_segment = 880001
            self.accounts = self._accounts()

    def _now(self) -> float:
        return self.config.clock()

    def _accounts(self) -> list[dict[str, Any]]:
        meta, google = self.config.access_tokens
        created = iso(self._now())
        common = {"agencyId": 7, "agencyName": "Sandbox Agency", "defaultSegmentPricingCategoryId": 1}
        return [
            {
                "id": 501,
                "name": "Acme DE",
                "platformId": 1,
                "platformName": "facebook",
                "platformDisplayName": "Meta Ads",
                "accountTypeId": 1,
                "accountTypeName": "Advertiser",
                "advertiserId": "act_1029384756",
                "clientId": "acme-meta",
                "accessToken": meta,
                "created": created,
                "updated": created,
                **common,
            },
            {
                "id": 502,
                "name": "Acme Search",
                "platformId": 2,
                "platformName": "google",
                "platformDisplayName": "Google Ads",
                "accountTypeId": 1,
                "accountTypeName": "Advertiser",
                "advertiserId": "123-456-7890",
                "clientId": "acme-google",
                "accessToken": google,
                # Not documented; here so the client's "any field named like a token" rule is tested.
                "oauth": {"refreshToken": f"{google}-refresh"},
                "created": created,
                "updated": created,
                **common,
            },
        ]

    # -- sessions ---------------------------------------------------------------------------

    def login(self, user_name: object, password: object) -> str:
        users = list(self.config.users)
        if not isinstance(user_name, str) or self.config.users.get(user_name) != password:
            raise SandboxError(401, "Invalid user name or password")
        cookie = f"{self.config.cookie_prefix}{secrets.token_urlsafe(18)}"
        with self._lock:
            self.logins += 1
            self.sessions[cookie] = (users.index(user_name) + 1, self._now() + self.config.session_lifetime_seconds)
        return cookie

    def user_of(self, cookie: str | None) -> int:
        with self._lock:
            session = self.sessions.get(cookie or "")
            if session is None or session[1] <= self._now():
                self.sessions.pop(cookie or "", None)
                raise SandboxError(self.config.not_logged_in_status, "Not logged in", status_code=401)
            return session[0]

    def expire_sessions(self) -> None:
        with self._lock:
            self.sessions.clear()

    # -- campaigns and audiences ------------------------------------------------------------

    def create_campaign(self, user_id: int, name: str) -> dict[str, Any]:
        with self._lock:
            campaign_id = self._next_campaign
            self._next_campaign += 1
            now = iso(self._now())
            campaign = {"id": campaign_id, "name": name, "userId": user_id, "created": now, "updated": now}
            self.campaigns[campaign_id] = campaign
            return dict(campaign)

    def create_audience(self, user_id: int, name: str, description: str | None, campaign_id: int) -> dict[str, Any]:
        with self._lock:
            campaign = self.campaigns.get(campaign_id)
            if campaign is None:
                raise SandboxError(200, f"Campaign {campaign_id} not found")
            audience_id = self._next_audience
            self._next_audience += 1
            now = iso(self._now())
            audience: dict[str, Any] = {
                "userId": user_id,
                "description": description,
                "campaignId": campaign_id,
                "campaignName": campaign["name"],
                "dataUpdated": None,
                "startDate": None,
                "endDate": None,
                "activationStatus": "New",
                "activationStatusId": 0,
                "lifetimeStatus": None,
                "lifetimeStatusId": None,
                "tagCollection": None,
                "crmData": None,
                "audienceState": NODATA,
                "audienceStateId": STATE_IDS[NODATA],
                "type": "ONBOARDING",
                "typeId": 0,
                "sourceAudienceId": None,
                "sourceAudienceTypeId": None,
                "canCreateLookalike": False,
                "hasSegments": False,
                "id": audience_id,
                "name": name,
                "created": now,
                "updated": now,
            }
            self.audiences[audience_id] = audience
            return dict(audience)

    def audience(self, audience_id: int) -> dict[str, Any]:
        with self._lock:
            audience = self.audiences.get(audience_id)
            if audience is None:
                raise SandboxError(200, f"Audience {audience_id} not found")
            return dict(audience)

    def update_audience(self, audience_id: int, name: str, description: str | None) -> dict[str, Any]:
        with self._lock:
            audience = self.audiences.get(audience_id)
            if audience is None:
                raise SandboxError(200, f"Audience {audience_id} not found")
            # The trap the server must avoid: a missing description is stored as null.
            audience.update(name=name, description=description, updated=iso(self._now()))
            return dict(audience)

    def delete_audience(self, audience_id: int) -> None:
        with self._lock:
            if self.audiences.pop(audience_id, None) is None:
                raise SandboxError(200, f"Audience {audience_id} not found")

    def activate(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            audience = self.audiences.get(body["audienceId"])
            if audience is None:
                raise SandboxError(200, f"Audience {body['audienceId']} not found")
            if not any(account["id"] == body["accountId"] for account in self.accounts):
                raise SandboxError(200, f"Platform account {body['accountId']} not found")
            segment_id = self._next_segment
            self._next_segment += 1
            audience.update(
                activationStatus="Active",
                activationStatusId=1,
                lifetimeStatus="Active",
                lifetimeStatusId=1,
                startDate=body["startDate"],
                endDate=body["endDate"],
                hasSegments=True,
                updated=iso(self._now()),
            )
            activation = {"flowId": str(uuid.uuid4()), "segmentId": segment_id}
            self.activations.append({**body, **activation})
            return activation

    def upload_crm(
        self, audience_id: int, stage: str, rows: int, match_rates: dict[str, float], mode: str
    ) -> dict[str, Any]:
        """Simulate a CRM upload (the portal's file transfer): NODATA -> PROCESSING -> READY."""
        with self._lock:
            audience = self.audiences.get(audience_id)
            if audience is None:
                raise SandboxError(404, f"Audience {audience_id} not found")
            now = self._now()
            state = PROCESSING if stage == "processing" else READY
            crm = audience.get("crmData") or {"history": {"totalEvents": 0, "history": {}}}
            history = crm["history"]
            if stage == "processing" or not history["history"]:
                data_set = {
                    kind: {
                        "TOTAL": rows,
                        "UNIQUE": rows,
                        "MATCH": round(rows * rate),
                        "UMATCH": round(rows * rate),
                        "NOMATCH": rows - round(rows * rate),
                    }
                    for kind, rate in match_rates.items()
                }
                history["history"][iso(now)] = {
                    "audienceId": audience_id,
                    "mode": mode,
                    "totalRows": rows,
                    "created": iso(now),
                    "dataSet": data_set,
                    "matchRates": dict(match_rates),
                }
                history["totalEvents"] = len(history["history"])
            crm.update(
                insightsState="PENDING" if state == PROCESSING else "READY",
                insightsStateId=0 if state == PROCESSING else 1,
                size=sum(entry["totalRows"] for entry in history["history"].values()),
            )
            audience.update(
                crmData=crm,
                audienceState=state,
                audienceStateId=STATE_IDS[state],
                dataUpdated=iso(now),
                canCreateLookalike=state == READY,
                updated=iso(now),
            )
            return dict(audience)
