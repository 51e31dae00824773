"""A local KITOS that speaks the parts of API v2 anskaf uses, for tests and demos.

Started on 127.0.0.1 with a free port in a thread; it can be told to fault (401, 409, 500,
or to answer too slowly). It records every request (method, path, body, query) so tests can
check what anskaf sent.

The shapes follow KITOS's public source, read (not copied) from the same files named at the
top of `portfolio/kitos.py`: os2kitos/kitos
Presentation.Web/Controllers/API/V1/Auth/TokenAuthenticationController.cs (GetToken and its
v1 envelope, Models/API/V1/ApiReturnDTO.cs, GetTokenResponseDTO.cs),
Presentation.Web/Controllers/API/V2/External/ItSystems/ItSystemV2Controller.cs (the
`nameContains`/`page`/`pageSize` query), .../ItSystemUsages/ItSystemUsageV2Controller.cs and
Mapping/ItSystemUsageWriteModelMapper.cs (201 on create, 409 when the organisation already
uses the system, PATCH changes only what the body holds), .../ItContracts/ItContractV2Controller.cs
and Mapping/ItContractWriteModelMapper.cs (list filters, 201 on create, merge PATCH, a given
`systemUsageUuids` replaces the list), the request DTOs under
Presentation.Web/Models/API/V2/Request/{SystemUsage,Contract,Generic/Validity}/ and the
responses Models/API/V2/Response/{SystemUsage/ItSystemUsageResponseDTO.cs,
Contract/ItContractResponseDTO.cs}; camelCase JSON as in os2kitos/kitos_frontend
src/app/api/v2/model/*.ts and cypress/fixtures/it-contracts/it-contract.json.
Assumed, not read: a duplicate contract name answers 409 (the endpoint declares 409 and the
name must be unique in the organisation), and the body of v2 error answers ({"message"}).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

LIFECYCLES = {"Undecided", "NotInUse", "PhasingIn", "Operational", "PhasingOut"}
CONTRACT_SECTIONS = ("general", "agreementPeriod", "termination", "procurement", "supplier",
                     "responsible", "paymentModel")


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A merge patch: nested objects merge, everything else given replaces."""
    out = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


class FakeKitos:
    def __init__(self, email: str = "anskaf@haderslev.dk", password: str = "hemmeligt",
                 organisation_uuid: str | None = None) -> None:
        self.email, self.password = email, password
        self.organisation_uuid = organisation_uuid or str(uuid.uuid4())
        self.tokens: set[str] = set()
        self.systems: dict[str, dict[str, Any]] = {}
        self.usages: dict[str, dict[str, Any]] = {}
        self.contracts: dict[str, dict[str, Any]] = {}  # as written: name, sections, usages
        self.fault: int | None = None  # every API call answers this status
        self.faults_once: list[int] = []  # the next calls answer these, one each
        # (method, path prefix, status): the next such call answers the status, once
        self.endpoint_faults: list[tuple[str, str, int]] = []
        self.delay = 0.0
        self.requests: list[tuple[str, str, Any, dict[str, str]]] = []
        self._server: ThreadingHTTPServer | None = None

    # --- control -----------------------------------------------------------------------------

    def add_system(self, name: str) -> str:
        uid = str(uuid.uuid4())
        self.systems[uid] = {"uuid": uid, "name": name, "deactivated": False,
                             "description": "", "rightsHolder": None}
        return uid

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def fail_once(self, method: str, prefix: str, status: int) -> None:
        """The next `method` call on a path starting with `prefix` answers `status`."""
        self.endpoint_faults.append((method, prefix, status))

    def sent(self, method: str, prefix: str) -> list[tuple[str, str, Any, dict[str, str]]]:
        """The requests received with this method on a path starting with `prefix`."""
        return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet in tests
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PATCH(self) -> None:
                fake._handle(self, "PATCH")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- the endpoints -----------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urlparse(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length)) if length else None
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        self.requests.append((method, parsed.path, body, query))
        if self.delay:
            time.sleep(self.delay)
        if parsed.path == "/api/authorize/GetToken" and method == "POST":
            return self._token(h, body or {})
        if h.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return self._send(h, 401, {"message": "Unauthorized"})
        if self.faults_once:
            return self._send(h, self.faults_once.pop(0), {"message": "Injected fault"})
        for fault in self.endpoint_faults:
            if fault[0] == method and parsed.path.startswith(fault[1]):
                self.endpoint_faults.remove(fault)
                return self._send(h, fault[2], {"message": "Injected fault"})
        if self.fault:
            return self._send(h, self.fault, {"message": "Injected fault"})
        page = self._page(query)
        if page is None:
            return self._send(h, 400, {"message": "page >= 0 and pageSize 1..100"})
        parts = parsed.path.strip("/").split("/")
        if parts[:3] == ["api", "v2", "it-systems"] and method == "GET" and len(parts) == 3:
            needle = (query.get("nameContains") or "").casefold()
            return self._send(h, 200, page([s for s in self.systems.values()
                                            if needle in s["name"].casefold()]))
        if parts[:3] == ["api", "v2", "it-system-usages"]:
            return self._usages(h, method, parts[3:], query, body, page)
        if parts[:3] == ["api", "v2", "it-contracts"]:
            return self._contracts(h, method, parts[3:], query, body, page)
        if parts[:3] == ["api", "v2", "organizations"] and method == "GET" and len(parts) == 4:
            if parts[3] != self.organisation_uuid:
                return self._send(h, 404, {"message": "Not found"})
            return self._send(h, 200, {"uuid": self.organisation_uuid, "name": "Testkommune",
                                       "cvr": "12345678"})
        return self._send(h, 404, {"message": "Not found"})

    @staticmethod
    def _page(query: dict[str, str]) -> Any:
        try:
            number = int(query.get("page", 0))
            size = int(query.get("pageSize", 100))
        except ValueError:
            return None
        if number < 0 or not 1 <= size <= 100:
            return None
        return lambda items: items[number * size:(number + 1) * size]

    def _token(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        if not body.get("email") or not body.get("password"):
            return self._send(h, 400, {"msg": "Email and Password are required",
                                       "response": {}})
        if body.get("email") != self.email or body.get("password") != self.password:
            return self._send(h, 401, {"msg": "Unauthorized", "response": {}})
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return self._send(h, 200, {"msg": "", "response": {
            "token": token, "email": self.email, "loginSuccessful": True,
            "expires": "2099-01-01T00:00:00Z"}})

    def _org(self) -> dict[str, Any]:
        return {"uuid": self.organisation_uuid, "name": "Haderslev Kommune", "cvr": None}

    # --- it-system-usages --------------------------------------------------------------------

    def _usages(self, h: BaseHTTPRequestHandler, method: str, rest: list[str],
                query: dict[str, str], body: Any, page: Any) -> None:
        if method == "GET" and not rest:
            found = [u for u in self.usages.values()
                     if query.get("systemUuid") in (None, u["systemContext"]["uuid"])
                     and query.get("organizationUuid") in (None, self.organisation_uuid)]
            return self._send(h, 200, page(found))
        if method == "GET" and len(rest) == 1:
            usage = self.usages.get(rest[0])
            return self._send(h, 200, usage) if usage else self._send(h, 404, {})
        if method == "POST" and not rest:
            body = body or {}
            system = self.systems.get(body.get("systemUuid") or "")
            if system is None or system["deactivated"] or (
                    body.get("organizationUuid") != self.organisation_uuid):
                return self._send(h, 400, {"message": "Unknown system or organization"})
            if any(u["systemContext"]["uuid"] == system["uuid"] for u in self.usages.values()):
                return self._send(h, 409, {"message": "Usage already exists"})
            general = body.get("general") or {}
            if not self._valid_usage_general(general):
                return self._send(h, 400, {"message": "Invalid general section"})
            uid = str(uuid.uuid4())
            self.usages[uid] = {"uuid": uid,
                                "systemContext": {"uuid": system["uuid"], "name": system["name"]},
                                "organizationContext": self._org(),
                                "general": general}
            return self._send(h, 201, self.usages[uid])
        if method == "PATCH" and len(rest) == 1:
            usage = self.usages.get(rest[0])
            if usage is None:
                return self._send(h, 404, {"message": "Not found"})
            general = (body or {}).get("general") or {}
            if not self._valid_usage_general(general):
                return self._send(h, 400, {"message": "Invalid general section"})
            usage["general"] = _merge(usage["general"], general)
            return self._send(h, 200, usage)
        return self._send(h, 405, {})

    @staticmethod
    def _valid_usage_general(general: dict[str, Any]) -> bool:
        status = (general.get("validity") or {}).get("lifeCycleStatus")
        return (status is None or status in LIFECYCLES) and len(
            general.get("localCallName") or "") <= 100

    # --- it-contracts ------------------------------------------------------------------------

    def _contracts(self, h: BaseHTTPRequestHandler, method: str, rest: list[str],
                   query: dict[str, str], body: Any, page: Any) -> None:
        if method == "GET" and not rest:
            found = [self._contract_view(uid) for uid in self.contracts
                     if self._contract_matches(uid, query)]
            return self._send(h, 200, page(found))
        if method == "GET" and len(rest) == 1:
            if rest[0] not in self.contracts:
                return self._send(h, 404, {"message": "Not found"})
            return self._send(h, 200, self._contract_view(rest[0]))
        if method == "POST" and not rest:
            body = body or {}
            if body.get("organizationUuid") != self.organisation_uuid:
                return self._send(h, 400, {"message": "Unknown organization"})
            problem = self._contract_problem(body, None, creating=True)
            if problem:
                return self._send(h, *problem)
            uid = str(uuid.uuid4())
            self.contracts[uid] = {"name": body["name"],
                                   "usages": list(body.get("systemUsageUuids") or []),
                                   **{k: body.get(k) or {} for k in CONTRACT_SECTIONS}}
            return self._send(h, 201, self._contract_view(uid))
        if method == "PATCH" and len(rest) == 1:
            stored = self.contracts.get(rest[0])
            if stored is None:
                return self._send(h, 404, {"message": "Not found"})
            body = body or {}
            problem = self._contract_problem(body, rest[0], creating=False)
            if problem:
                return self._send(h, *problem)
            if "name" in body:
                stored["name"] = body["name"]
            if "systemUsageUuids" in body:
                stored["usages"] = list(body["systemUsageUuids"] or [])
            for key in CONTRACT_SECTIONS:
                if key in body:
                    stored[key] = _merge(stored[key], body[key] or {})
            return self._send(h, 200, self._contract_view(rest[0]))
        return self._send(h, 405, {})

    def _contract_problem(self, body: dict[str, Any], uid: str | None,
                          creating: bool) -> tuple[int, dict[str, str]] | None:
        name = body.get("name")
        if creating or "name" in body:
            if not name or len(name) > 200:
                return 400, {"message": "Name is required (max 200 characters)"}
            if any(c["name"] == name for k, c in self.contracts.items() if k != uid):
                return 409, {"message": "Name already in use in the organization"}
        usages = body.get("systemUsageUuids") or []
        if len(set(usages)) != len(usages) or any(u not in self.usages for u in usages):
            return 400, {"message": "Unknown or duplicate system usage"}
        period = body.get("agreementPeriod") or {}
        years, months = period.get("durationYears"), period.get("durationMonths")
        if (years is not None and years < 1) or (months is not None and not 1 <= months <= 11):
            return 400, {"message": "durationYears >= 1, durationMonths 1..11"}
        return None

    def _contract_matches(self, uid: str, query: dict[str, str]) -> bool:
        stored = self.contracts[uid]
        return (query.get("organizationUuid") in (None, self.organisation_uuid)
                and query.get("nameEquals") in (None, stored["name"])
                and (query.get("nameContent") or "").casefold() in stored["name"].casefold()
                and query.get("systemUsageUuid") in (None, *stored["usages"]))

    def _contract_view(self, uid: str) -> dict[str, Any]:
        stored = self.contracts[uid]
        general = stored["general"]
        return {
            "uuid": uid, "name": stored["name"], "organizationContext": self._org(),
            "general": {"contractId": general.get("contractId"),
                        "notes": general.get("notes"),
                        "validity": {"valid": True, "enforcedValid": False,
                                     **(general.get("validity") or {})}},
            "systemUsages": [{"uuid": u, "name": self.usages[u]["systemContext"]["name"]}
                             for u in stored["usages"] if u in self.usages],
            "agreementPeriod": stored["agreementPeriod"],
            "termination": stored["termination"],
        }

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def lifecycle_of(self, usage_uuid: str) -> str | None:
        usage = self.usages.get(usage_uuid)
        return usage["general"].get("validity", {}).get("lifeCycleStatus") if usage else None
