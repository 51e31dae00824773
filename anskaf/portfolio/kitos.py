"""A small client for KITOS API v2 and the adapter the portfolio calls.

KITOS (os2kitos/kitos) issues a token from `POST api/authorize/GetToken` ({"email",
"password"} -> {"response": {"token", "expires", ...}}); every v2 call sends it as
`Authorization: Bearer <token>`. A usage of a catalogue system is created with
`POST api/v2/it-system-usages` ({"systemUuid", "organizationUuid", "general": {...}}) and
changed with `PATCH api/v2/it-system-usages/{uuid}`; its life cycle is
`general.validity.lifeCycleStatus` (Undecided, NotInUse, PhasingIn, Operational, PhasingOut).
KITOS answers 409 when the organisation already uses the system.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings


class KitosError(Exception):
    """KITOS could not be reached or refused; the message is Danish and shown to people."""


class KitosUnconfigured(KitosError):
    pass


class KitosConflict(KitosError):
    pass


@dataclass(frozen=True)
class KitosConfig:
    url: str
    email: str
    password: str
    organisation_uuid: str
    timeout: float = 10.0


def config() -> KitosConfig | None:
    """KITOS's address and credentials from the settings (or the environment); None when
    KITOS is not configured, in which case everything is kept as pending."""
    def get(name: str, default: str = "") -> str:
        return str(getattr(settings, name, None) or os.environ.get(name, default))

    url = get("KITOS_URL")
    if not url:
        return None
    return KitosConfig(url=url.rstrip("/") + "/", email=get("KITOS_EMAIL"),
                       password=get("KITOS_PASSWORD"),
                       organisation_uuid=get("KITOS_ORGANIZATION_UUID"),
                       timeout=float(get("KITOS_TIMEOUT", "10")))


class KitosClient:
    """The HTTP calls, one method per endpoint. Fetches a token on first use and once more
    when KITOS answers 401 (the token may have expired)."""

    def __init__(self, cfg: KitosConfig) -> None:
        self.cfg = cfg
        self._token: str | None = None

    # --- transport ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: Any = None,
              token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.cfg.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.cfg.timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")[:200]
            return exc.code, payload
        except TimeoutError:
            raise KitosError("KITOS svarede ikke i tide.") from None
        except (urllib.error.URLError, OSError) as exc:
            raise KitosError(f"KITOS kunne ikke nås: {exc}") from None

    def token(self) -> str:
        if self._token is None:
            status, payload = self._send("POST", "api/authorize/GetToken",
                                         {"email": self.cfg.email,
                                          "password": self.cfg.password})
            inner = payload.get("response") if isinstance(payload, dict) else None
            token = inner.get("token") if isinstance(inner, dict) else None
            if status != 200 or not token:
                raise KitosError(f"KITOS afviste login (HTTP {status}). Kontrollér "
                                 "KITOS_EMAIL og KITOS_PASSWORD.")
            self._token = token
        return self._token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        status, payload = self._send(method, path, body, self.token())
        if status == 401:  # expired token: one fresh token, one more try
            self._token = None
            status, payload = self._send(method, path, body, self.token())
        if status == 409:
            raise KitosConflict(f"KITOS meldte konflikt (HTTP 409): {_brief(payload)}")
        if status == 401:
            raise KitosError("KITOS afviste adgangen (HTTP 401).")
        if status >= 400:
            raise KitosError(f"KITOS svarede med fejl (HTTP {status}): {_brief(payload)}")
        return payload

    # --- endpoints ---------------------------------------------------------------------------

    def it_systems(self, name: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"nameEquals": name, "pageSize": 10})
        return self.call("GET", f"api/v2/it-systems?{query}") or []

    def usages(self, system_uuid: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"organizationUuid": self.cfg.organisation_uuid,
                                        "systemUuid": system_uuid})
        return self.call("GET", f"api/v2/it-system-usages?{query}") or []

    def usage(self, uuid: str) -> dict[str, Any]:
        return self.call("GET", f"api/v2/it-system-usages/{uuid}")

    def create_usage(self, system_uuid: str, general: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "api/v2/it-system-usages", {
            "systemUuid": system_uuid, "organizationUuid": self.cfg.organisation_uuid,
            "general": general})

    def patch_usage(self, uuid: str, general: dict[str, Any]) -> dict[str, Any]:
        return self.call("PATCH", f"api/v2/it-system-usages/{uuid}", {"general": general})

    def contracts(self) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"organizationUuid": self.cfg.organisation_uuid})
        return self.call("GET", f"api/v2/it-contracts?{query}") or []

    def create_contract(self, name: str, usage_uuids: list[str]) -> dict[str, Any]:
        return self.call("POST", "api/v2/it-contracts", {
            "name": name, "organizationUuid": self.cfg.organisation_uuid,
            "systemUsageUuids": usage_uuids})


def _brief(payload: Any) -> str:
    if isinstance(payload, dict):
        return str(payload.get("message") or payload.get("msg") or payload)[:200]
    return str(payload)[:200]


@dataclass(frozen=True)
class UsageResult:
    usage_uuid: str
    system_uuid: str


def push_usage(*, name: str, lifecycle: str, usage_uuid: str | None,
               system_uuid: str | None, cfg: KitosConfig | None = None) -> UsageResult:
    """The adapter: make KITOS's usage of the system carry `lifecycle`; create the usage when
    the municipality has none (finding the catalogue system by name when its UUID is not
    known, and adopting the existing usage when KITOS answers 409)."""
    cfg = cfg or config()
    if cfg is None:
        raise KitosUnconfigured("KITOS er ikke sat op (KITOS_URL mangler); registreringen "
                                "afventer.")
    client = KitosClient(cfg)
    general = {"validity": {"lifeCycleStatus": lifecycle}}
    if usage_uuid:
        client.patch_usage(usage_uuid, general)
        return UsageResult(usage_uuid, system_uuid or "")
    if not system_uuid:
        found = [s for s in client.it_systems(name) if s.get("name", "").casefold()
                 == name.casefold()]
        if not found:
            raise KitosError(f"Systemet »{name}« findes ikke i KITOS' systemkatalog. "
                             "Angiv katalogsystemets UUID på systemet.")
        system_uuid = str(found[0]["uuid"])
    try:
        created = client.create_usage(system_uuid, {"localCallName": name[:100], **general})
        return UsageResult(str(created["uuid"]), system_uuid)
    except KitosConflict:
        existing = client.usages(system_uuid)
        if not existing:
            raise
        uuid = str(existing[0]["uuid"])
        client.patch_usage(uuid, general)
        return UsageResult(uuid, system_uuid)
