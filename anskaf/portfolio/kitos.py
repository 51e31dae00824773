"""A small client for KITOS API v2 and the adapters the portfolio calls.

Shapes verified (issue 6) by reading KITOS's public source - no code taken from it:

os2kitos/kitos
- Presentation.Web/Controllers/API/V1/Auth/TokenAuthenticationController.cs,
  Presentation.Web/Models/API/V1/UserCredentialsDTO.cs, .../V1/GetTokenResponseDTO.cs,
  .../V1/ApiReturnDTO.cs, Presentation.Web/Controllers/API/V1/ExtendedApiController.cs:
  `POST api/authorize/GetToken` takes {"email", "password"} and answers 200 with the v1
  envelope {"msg", "response": {"token", "email", "loginSuccessful", "expires"}}; wrong
  credentials answer 401. The token is valid for 24 hours and is sent as a Bearer token.
- Presentation.Web/Controllers/API/V2/External/ItSystems/ItSystemV2Controller.cs:
  `GET api/v2/it-systems` filters by `nameContains` (there is no `nameEquals` on the external
  endpoint; only KITOS's internal search has it), pages with `page` (0-based) and `pageSize`
  (1..100, BoundedPaginationQuery), answers a plain JSON array of {"uuid", "name", ...}.
- Presentation.Web/Controllers/API/V2/External/ItSystemUsages/ItSystemUsageV2Controller.cs,
  .../ItSystemUsages/Mapping/ItSystemUsageWriteModelMapper.cs,
  Presentation.Web/Models/API/V2/Request/SystemUsage/CreateItSystemUsageRequestDTO.cs,
  .../SystemUsage/GeneralDataWriteRequestDTO.cs, .../SystemUsage/ValidityWriteRequestDTO.cs,
  .../SystemUsage/UpdateItSystemUsageRequestDTO.cs,
  Presentation.Web/Models/API/V2/Response/SystemUsage/ItSystemUsageResponseDTO.cs:
  `GET api/v2/it-system-usages?organizationUuid=&systemUuid=`; `POST api/v2/it-system-usages`
  with {"systemUuid", "organizationUuid", "general": {"localCallName" (max 100), "validity":
  {"lifeCycleStatus", "validFrom", "validTo"}, ...}} answers 201 with the usage, or 409 when
  the organisation already uses the system; `PATCH api/v2/it-system-usages/{uuid}` changes only
  the properties present in the body (PUT replaces all of them, so we never PUT). A usage
  carries "uuid", "systemContext" {"uuid", "name"}, "organizationContext", "general".
- Presentation.Web/Controllers/API/V2/External/ItContracts/ItContractV2Controller.cs,
  .../ItContracts/Mapping/ItContractWriteModelMapper.cs,
  Presentation.Web/Models/API/V2/Request/Contract/CreateNewContractRequestDTO.cs,
  .../Contract/ContractWriteRequestDTO.cs, .../Contract/UpdateContractRequestDTO.cs,
  .../Contract/ContractGeneralDataWriteRequestDTO.cs,
  .../Contract/ContractAgreementPeriodDataWriteRequestDTO.cs,
  Presentation.Web/Models/API/V2/Request/Generic/Validity/ValidityWriteRequestDTO.cs,
  Presentation.Web/Models/API/V2/Response/Contract/ItContractResponseDTO.cs:
  `GET api/v2/it-contracts?organizationUuid=&nameEquals=&systemUsageUuid=&page=&pageSize=`;
  `POST api/v2/it-contracts` with {"organizationUuid", "name" (required, max 200, unique in
  the organisation), "systemUsageUuids", "general": {"contractId", "notes", "validity":
  {"validFrom", "validTo"}}, "agreementPeriod": {"durationYears" (>=1), "durationMonths"
  (1..11), "extensionOptionsUsed"}, "termination": {"terminatedAt"}} answers 201 (409 is
  declared); `PATCH api/v2/it-contracts/{uuid}` is a merge patch (a nested property absent
  from the body is left alone, but `systemUsageUuids` present replaces the whole list, so we
  send the union with what KITOS has). A contract carries "uuid", "name",
  "organizationContext", "general", "systemUsages" [{"uuid", "name"}].
os2kitos/kitos_frontend
- src/app/api/v2/model/createItSystemUsageRequestDTO.ts, createNewContractRequestDTO.ts,
  contractGeneralDataWriteRequestDTO.ts, contractValidityWriteRequestDTO.ts and
  cypress/fixtures/it-contracts/it-contract.json: the JSON is camelCase, enums are strings,
  dates are ISO 8601 ("2024-04-18T00:00:00Z").
Not verified: the body of a v2 error answer (we only show it, trimmed); that a duplicate
contract name is what KITOS answers 409 for (declared on the endpoint, the reason not read).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


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


def config(organisation_id: int) -> KitosConfig | None:
    """The KITOS configuration of one municipality: the only place it is read (issue 18), by
    the worker when it sends and by "Test forbindelsen".

    The municipality's own (Administration -> Indstillinger: its KITOS user, password and
    organisation UUID; its address, else the installation's KITOS_URL) when it has set a KITOS
    user; else the installation's KITOS_* settings (read from the environment once, at start),
    but only for the municipality KITOS_ORGANISATION names, or for every one when that is not
    set (one municipality per installation, as before). None when KITOS is not configured for
    it, in which case everything is kept as pending."""
    from anskaf.orgs.models import Organisation
    from anskaf.orgs.tenancy import kitos_own

    timeout = float(settings.KITOS_TIMEOUT)
    own = kitos_own(organisation_id)  # SecretUnreadable when the key is gone: say so, below
    if own is not None:
        url = own["url"] or settings.KITOS_URL
        if not url:
            return None
        return KitosConfig(url=url.rstrip("/") + "/", email=own["email"],
                           password=own["password"],
                           organisation_uuid=own["organisation_uuid"], timeout=timeout)
    url = settings.KITOS_URL
    if not url:
        return None
    only = settings.KITOS_ORGANISATION
    if only and not Organisation.objects.filter(pk=organisation_id, slug=only).exists():
        return None
    return KitosConfig(url=url.rstrip("/") + "/", email=settings.KITOS_EMAIL,
                       password=settings.KITOS_PASSWORD,
                       organisation_uuid=settings.KITOS_ORGANIZATION_UUID, timeout=timeout)


# Within one attempt, urllib3 tries again what is safe to repeat: a connection that was never
# made (any method: nothing reached KITOS), and the idempotent GETs on a broken answer or a
# 502/503/504 from KITOS or its proxy, honouring Retry-After. A POST or PATCH that KITOS may
# have received is never repeated here; the worker's next attempt (with backoff) does that,
# and the adapters adopt what a lost answer created (409). Longer outages are the worker's.
TRANSPORT_RETRY = Retry(total=2, connect=2, read=2, status=2, other=0,
                        status_forcelist=(502, 503, 504), allowed_methods=frozenset({"GET"}),
                        backoff_factor=0.5, backoff_max=5, respect_retry_after_header=True,
                        raise_on_status=False, raise_on_redirect=False)


def session(retry: Retry | int = TRANSPORT_RETRY) -> requests.Session:
    """A session for one attempt: JSON in and out, the transport retries above (or none: the
    person waiting on "Test forbindelsen" gets the first answer)."""
    s = requests.Session()
    s.headers.update({"Accept": "application/json"})
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    return s


class KitosClient:
    """The HTTP calls, one method per endpoint, over one `requests.Session` with the
    configured timeout on every call. Fetches a token on first use and once more when KITOS
    answers 401 (the token may have expired)."""

    def __init__(self, cfg: KitosConfig, http: requests.Session | None = None) -> None:
        self.cfg = cfg
        self.http = http or session()
        self._token: str | None = None

    # --- transport ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: Any = None,
              token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.http.request(method, self.cfg.url + path, json=body,
                                         headers=headers, timeout=self.cfg.timeout)
        except requests.Timeout:
            raise KitosError("KITOS svarede ikke i tide.") from None
        except requests.RequestException as exc:
            raise KitosError(f"KITOS kunne ikke nås: {_reason(exc)}") from None
        if not response.content:
            return response.status_code, None
        try:
            return response.status_code, response.json()
        except ValueError:  # not JSON (a proxy's error page, not KITOS): shown, trimmed
            return response.status_code, response.text[:200]

    def token(self) -> str:
        if self._token is None:
            status, payload = self._send("POST", "api/authorize/GetToken",
                                         {"email": self.cfg.email,
                                          "password": self.cfg.password})
            inner = payload.get("response") if isinstance(payload, dict) else None
            token = inner.get("token") if isinstance(inner, dict) else None
            if status != 200 or not token:
                raise KitosError(f"KITOS afviste login (HTTP {status}). Kontrollér "
                                 "KITOS-brugerens e-mail og adgangskode (Administration → "
                                 "Indstillinger, ellers KITOS_EMAIL og KITOS_PASSWORD).")
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
        if isinstance(payload, str):
            raise KitosError(f"KITOS svarede ikke med JSON (HTTP {status}): {payload[:100]}")
        return payload

    # --- endpoints ---------------------------------------------------------------------------

    def it_systems(self, name: str) -> list[dict[str, Any]]:
        """Catalogue systems whose name contains `name` (KITOS has no exact-name filter on
        the external endpoint; the caller picks the exact match)."""
        query = urllib.parse.urlencode({"nameContains": name, "pageSize": PAGE_SIZE})
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

    def contracts(self, name_equals: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"organizationUuid": self.cfg.organisation_uuid,
                                  "pageSize": PAGE_SIZE}
        if name_equals is not None:
            params["nameEquals"] = name_equals
        return self.call("GET", f"api/v2/it-contracts?{urllib.parse.urlencode(params)}") or []

    def contract(self, uuid: str) -> dict[str, Any]:
        return self.call("GET", f"api/v2/it-contracts/{uuid}")

    def create_contract(self, name: str, usage_uuids: list[str],
                        sections: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("POST", "api/v2/it-contracts", {
            "organizationUuid": self.cfg.organisation_uuid, "name": name,
            "systemUsageUuids": usage_uuids, **(sections or {})})

    def patch_contract(self, uuid: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("PATCH", f"api/v2/it-contracts/{uuid}", body)


PAGE_SIZE = 100  # KITOS's largest page (BoundedPaginationQuery: 1..100)


def _reason(exc: requests.RequestException) -> str:
    """The innermost cause, not requests' wrapping of urllib3's wrapping of it."""
    cause: BaseException = exc
    for _ in range(10):  # bounded: a chain could loop
        inner = cause.__cause__ or cause.__context__
        if inner is None:
            break
        cause = inner
    return str(cause)[:200] or type(cause).__name__


def _brief(payload: Any) -> str:
    if isinstance(payload, dict):
        return str(payload.get("message") or payload.get("msg") or payload)[:200]
    return str(payload)[:200]


@dataclass(frozen=True)
class UsageResult:
    usage_uuid: str
    system_uuid: str


def connect(organisation_id: int, http: requests.Session | None = None) -> KitosClient:
    """A client for the municipality's KITOS (one per attempt, so one token per attempt)."""
    from anskaf.audit.secretbox import SecretUnreadable

    try:
        cfg = config(organisation_id)
    except SecretUnreadable:
        raise KitosUnconfigured("KITOS-adgangskoden kan ikke læses (nøglen i nøglemappen "
                                "mangler); en administrator skal gemme den igen.") from None
    if cfg is None:
        raise KitosUnconfigured("KITOS er ikke sat op for kommunen (ingen KITOS-adresse og "
                                "-bruger); registreringen afventer.")
    return KitosClient(cfg, http)


@dataclass(frozen=True)
class ConnectionCheck:
    """The answer of "Test forbindelsen": ok, or the step that failed and exactly why."""

    ok: bool
    step: str  # "configuration", "connection", "login", "organisation" or "done"
    message: str


def check_connection(organisation_id: int) -> ConnectionCheck:
    """Try the municipality's KITOS step by step: its configuration, reaching the address,
    logging in, and the organisation UUID (GET api/v2/organizations/{uuid}). Synchronous, for
    the administrator waiting on the answer: no transport retries, so it takes at most two
    calls' timeouts (ADR 0035)."""
    try:
        client = connect(organisation_id, session(retry=0))
    except KitosUnconfigured as exc:
        return ConnectionCheck(False, "configuration", str(exc))
    cfg = client.cfg
    try:
        status, payload = client._send("POST", "api/authorize/GetToken",
                                       {"email": cfg.email, "password": cfg.password})
    except KitosError as exc:
        return ConnectionCheck(False, "connection", f"Adressen {cfg.url} kunne ikke nås: {exc}")
    inner = payload.get("response") if isinstance(payload, dict) else None
    token = inner.get("token") if isinstance(inner, dict) else None
    if status in (401, 403):
        return ConnectionCheck(False, "login", f"KITOS afviste login for {cfg.email} (HTTP "
                               f"{status}): e-mail eller adgangskode er forkert, eller "
                               "brugeren har ikke API-adgang.")
    if status != 200 or not token:
        return ConnectionCheck(False, "login", f"{cfg.url}api/authorize/GetToken svarede "
                               f"HTTP {status} uden token: er adressen KITOS' adresse?")
    if not cfg.organisation_uuid:
        return ConnectionCheck(False, "organisation", "Login lykkedes, men organisationens "
                               "UUID i KITOS mangler.")
    try:
        status, payload = client._send(
            "GET", f"api/v2/organizations/{urllib.parse.quote(cfg.organisation_uuid)}",
            token=token)
    except KitosError as exc:
        return ConnectionCheck(False, "connection", f"Login lykkedes, men KITOS svarede ikke "
                               f"på opslaget af organisationen: {exc}")
    if status == 404:
        return ConnectionCheck(False, "organisation", "Login lykkedes, men organisationen "
                               f"{cfg.organisation_uuid} findes ikke i KITOS.")
    if status in (401, 403):
        return ConnectionCheck(False, "organisation", f"Login lykkedes, men {cfg.email} har "
                               f"ikke adgang til organisationen {cfg.organisation_uuid} "
                               f"(HTTP {status}).")
    if status != 200:
        return ConnectionCheck(False, "organisation", "Opslaget af organisationen svarede "
                               f"HTTP {status}: {_brief(payload)}")
    name = payload.get("name") if isinstance(payload, dict) else None
    return ConnectionCheck(True, "done", f"Forbindelsen virker: login som {cfg.email} "
                           f"lykkedes, og organisationen {name or cfg.organisation_uuid} findes "
                           "i KITOS.")


def push_usage(*, name: str, lifecycle: str, usage_uuid: str | None,
               system_uuid: str | None, client: KitosClient) -> UsageResult:
    """The adapter: make KITOS's usage of the system carry `lifecycle`; create the usage when
    the municipality has none (finding the catalogue system by name when its UUID is not
    known, and adopting the existing usage when KITOS answers 409)."""
    general = {"validity": {"lifeCycleStatus": lifecycle}}
    if usage_uuid:
        client.patch_usage(usage_uuid, general)
        return UsageResult(usage_uuid, system_uuid or "")
    if not system_uuid:
        found = [s for s in client.it_systems(name) if (s.get("name") or "").casefold()
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


def _day(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00Z" if value else None


def contract_sections(*, number: str, start_date: date | None, duration_months: int,
                      options_used: int, terminated_on: date | None) -> dict[str, Any]:
    """Our contract's fields in KITOS's write sections. Only what anskaf knows is sent; a
    PATCH leaves everything else in KITOS as it is. (KITOS's notice period is an option type
    of the municipality's own, so anskaf's notice months are not sent.)"""
    years, months = divmod(duration_months or 0, 12)
    return {
        "general": {"contractId": number[:200],
                    "validity": {"validFrom": _day(start_date)}},
        "agreementPeriod": {"durationYears": years or None, "durationMonths": months or None,
                            "extensionOptionsUsed": options_used or 0},
        "termination": {"terminatedAt": _day(terminated_on)},
    }


def push_contract(*, name: str, usage_uuid: str, contract_uuid: str | None,
                  sections: dict[str, Any], client: KitosClient) -> str:
    """The adapter for a contract: make KITOS's contract carry our fields and cover the
    usage; create it when we have no UUID for it (adopting the organisation's contract of the
    same name when KITOS answers 409). Returns the contract's UUID."""
    name = name[:200]
    if not contract_uuid:
        try:
            return str(client.create_contract(name, [usage_uuid], sections)["uuid"])
        except KitosConflict:
            existing = [c for c in client.contracts(name_equals=name) if c.get("name") == name]
            if not existing:
                raise
            contract_uuid = str(existing[0]["uuid"])
    current = client.contract(contract_uuid)
    covered = [str(u["uuid"]) for u in (current or {}).get("systemUsages") or []]
    usages = covered if usage_uuid in covered else [*covered, usage_uuid]
    client.patch_contract(contract_uuid, {"name": name, "systemUsageUuids": usages,
                                          **sections})
    return contract_uuid
