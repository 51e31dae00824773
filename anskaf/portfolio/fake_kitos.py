"""A local KITOS that speaks the parts of API v2 anskaf uses, for tests and demos.

Started on 127.0.0.1 with a free port in a thread; it can be told to fault (401, 409, 500,
or to answer too slowly). Shapes follow KITOS API v2 (os2kitos/kitos, Presentation.Web
Controllers/API/V2/External): lists are plain JSON arrays, a usage carries `uuid`,
`systemContext`, `organizationContext` and `general.validity.lifeCycleStatus`.
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


class FakeKitos:
    def __init__(self, email: str = "anskaf@haderslev.dk", password: str = "hemmeligt",
                 organisation_uuid: str | None = None) -> None:
        self.email, self.password = email, password
        self.organisation_uuid = organisation_uuid or str(uuid.uuid4())
        self.tokens: set[str] = set()
        self.systems: dict[str, dict[str, Any]] = {}
        self.usages: dict[str, dict[str, Any]] = {}
        self.contracts: dict[str, dict[str, Any]] = {}
        self.fault: int | None = None  # every API call answers this status
        self.faults_once: list[int] = []  # the next calls answer these, one each
        self.delay = 0.0
        self.requests: list[tuple[str, str, Any]] = []
        self._server: ThreadingHTTPServer | None = None

    # --- control -----------------------------------------------------------------------------

    def add_system(self, name: str) -> str:
        uid = str(uuid.uuid4())
        self.systems[uid] = {"uuid": uid, "name": name, "deactivated": False,
                             "description": "", "rightsHolder": None}
        return uid

    def expire_tokens(self) -> None:
        self.tokens.clear()

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
        self.requests.append((method, parsed.path, body))
        if self.delay:
            time.sleep(self.delay)
        if parsed.path == "/api/authorize/GetToken" and method == "POST":
            return self._token(h, body or {})
        if h.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return self._send(h, 401, {"message": "Unauthorized"})
        if self.faults_once:
            return self._send(h, self.faults_once.pop(0), {"message": "Injected fault"})
        if self.fault:
            return self._send(h, self.fault, {"message": "Injected fault"})
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        parts = parsed.path.strip("/").split("/")
        if parts[:3] == ["api", "v2", "it-systems"] and method == "GET":
            name = query.get("nameEquals")
            return self._send(h, 200, [s for s in self.systems.values()
                                       if name is None or s["name"] == name])
        if parts[:3] == ["api", "v2", "it-system-usages"]:
            return self._usages(h, method, parts[3:], query, body)
        if parts[:3] == ["api", "v2", "it-contracts"]:
            if method == "GET":
                return self._send(h, 200, list(self.contracts.values()))
            if method == "POST" and body and body.get("name"):
                uid = str(uuid.uuid4())
                self.contracts[uid] = {"uuid": uid, "name": body["name"],
                                       "organizationContext": {"uuid": body.get(
                                           "organizationUuid")}}
                return self._send(h, 201, self.contracts[uid])
            return self._send(h, 400, {"message": "name is required"})
        return self._send(h, 404, {"message": "Not found"})

    def _token(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        if body.get("email") != self.email or body.get("password") != self.password:
            return self._send(h, 401, {"msg": "Unauthorized", "response": None})
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return self._send(h, 200, {"msg": "", "response": {
            "token": token, "email": self.email, "loginSuccessful": True,
            "expires": "2099-01-01T00:00:00Z"}})

    def _usages(self, h: BaseHTTPRequestHandler, method: str, rest: list[str],
                query: dict[str, str], body: Any) -> None:
        if method == "GET" and not rest:
            return self._send(h, 200, [u for u in self.usages.values()
                                       if query.get("systemUuid") in (None,
                                                                      u["systemContext"]["uuid"])])
        if method == "GET" and rest:
            usage = self.usages.get(rest[0])
            return self._send(h, 200, usage) if usage else self._send(h, 404, {})
        if method == "POST" and not rest:
            system = self.systems.get((body or {}).get("systemUuid", ""))
            if system is None or body.get("organizationUuid") != self.organisation_uuid:
                return self._send(h, 400, {"message": "Unknown system or organization"})
            if any(u["systemContext"]["uuid"] == system["uuid"] for u in self.usages.values()):
                return self._send(h, 409, {"message": "Usage already exists"})
            general = body.get("general") or {}
            if not self._valid(general):
                return self._send(h, 400, {"message": "Invalid lifeCycleStatus"})
            uid = str(uuid.uuid4())
            self.usages[uid] = {"uuid": uid,
                                "systemContext": {"uuid": system["uuid"], "name": system["name"]},
                                "organizationContext": {"uuid": self.organisation_uuid},
                                "general": general}
            return self._send(h, 201, self.usages[uid])
        if method == "PATCH" and rest:
            usage = self.usages.get(rest[0])
            if usage is None:
                return self._send(h, 404, {"message": "Not found"})
            general = (body or {}).get("general") or {}
            if not self._valid(general):
                return self._send(h, 400, {"message": "Invalid lifeCycleStatus"})
            merged = {**usage["general"], **general}
            usage["general"] = merged
            return self._send(h, 200, usage)
        return self._send(h, 405, {})

    @staticmethod
    def _valid(general: dict[str, Any]) -> bool:
        status = (general.get("validity") or {}).get("lifeCycleStatus")
        return status is None or status in LIFECYCLES

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
