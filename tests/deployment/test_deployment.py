"""Two app servers and two workers behind nginx (conftest.py builds the stack): what an
installation with several app servers relies on, proved on this machine (issue 22, ADR 0024).

The tests share one stack and run in this order; the last one waits for the workers' periodic
jobs, which had the time of the others to run.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
from deploy_stack import PASSWORD, Stack, cookie, wait_for

pytestmark = pytest.mark.deployment

FORWARDED = {"X-Forwarded-Proto": "https"}  # what nginx adds; set by hand when going direct


def test_nginx_terminates_tls_and_the_app_builds_https_from_x_forwarded_proto(stack: Stack):
    web = stack.session()
    plain = web.get(f"http://127.0.0.1:{stack.http_port}/log-ind/", allow_redirects=False,
                    timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

    page = web.get(f"{stack.url}/log-ind/", timeout=10)
    assert page.status_code == 200
    _, attributes = cookie(page, "csrftoken")
    assert "secure" in attributes.lower()
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")  # is_secure()

    # The SSO redirect carries an absolute callback URL built from the request: https through
    # the proxy, http straight to an app server that got no X-Forwarded-Proto.
    through_proxy = web.get(f"{stack.url}/oidc/authenticate/", allow_redirects=False, timeout=10)
    direct = web.get(f"{stack.app(1)}/oidc/authenticate/", allow_redirects=False, timeout=10)
    assert through_proxy.status_code == direct.status_code == 302
    assert _redirect_uri(through_proxy) == "https://127.0.0.1/oidc/callback/"
    assert _redirect_uri(direct).startswith("http://127.0.0.1:")
    assert "Strict-Transport-Security" not in direct.headers


def _redirect_uri(response) -> str:
    return parse_qs(urlsplit(response.headers["Location"]).query)["redirect_uri"][0]


def test_a_login_through_one_app_server_works_on_the_other(stack: Stack):
    web = stack.session()
    first, second = stack.app(0), stack.app(1)
    form = web.get(f"{first}/log-ind/", headers=FORWARDED, timeout=10)
    csrf, _ = cookie(form, "csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    login = web.post(f"{first}/log-ind/", allow_redirects=False, timeout=20, data={
        "username": "koordinator", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={**FORWARDED, "Cookie": f"csrftoken={csrf}",
                 "Referer": f"https://127.0.0.1:{stack.app_ports[0]}/log-ind/"})
    assert login.status_code == 302, login.text[:2000]
    session, attributes = cookie(login, "sessionid")
    assert "secure" in attributes.lower() and "httponly" in attributes.lower()
    target = login.headers["Location"]

    anonymous = web.get(f"{second}{target}", headers=FORWARDED, allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/log-ind/" in anonymous.headers["Location"]
    signed_in = web.get(f"{second}{target}", allow_redirects=False, timeout=10,
                        headers={**FORWARDED, "Cookie": f"sessionid={session}"})
    assert signed_in.status_code == 200
    assert "Karen Koordinator" in signed_in.text


def test_a_document_uploaded_through_one_app_server_downloads_through_the_other(stack: Stack):
    web = stack.session()
    auth = {"Authorization": f"Bearer {stack.data['token']}"}
    case = stack.data["cases"][1]
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"Udrulning \xc3\xa6\xc3\xb8"
    upload = web.post(f"{stack.app(0)}/api/v1/cases/{case}/steps/4/documents", headers=auth,
                      data={"type": "product_description"}, timeout=30,
                      files={"file": ("Produktbeskrivelse.pdf", content, "application/pdf")})
    assert upload.status_code == 201, upload.text
    document = upload.json()["document"]
    path = f"/api/v1/cases/{case}/documents/{document['id']}/versions/1/download"
    for base in (stack.app(1), stack.url):
        download = web.get(f"{base}{path}", headers=auth, timeout=30)
        assert download.status_code == 200 and download.content == content, base


def test_a_burst_of_step_updates_loses_nothing_when_an_app_server_is_killed(stack: Stack):
    import requests

    cases, auth = stack.data["cases"], {"Authorization": f"Bearer {stack.data['token']}"}
    total, threads, kill_after = 160, 8, 40
    results: list[tuple[int, str, int, bool]] = []  # case, remarks, status, sent after kill
    lock, killed, local = threading.Lock(), threading.Event(), threading.local()

    def patch(i: int) -> None:
        if not hasattr(local, "web"):
            local.web = stack.session()
        case, remarks = cases[i % len(cases)], f"Bemærkning {i} fra belastningsprøven"
        after_kill = killed.is_set()
        try:
            status = local.web.patch(f"{stack.url}/api/v1/cases/{case}/steps/1", headers=auth,
                                     json={"remarks": remarks}, timeout=70).status_code
        except requests.RequestException:
            status = 0
        with lock:
            results.append((case, remarks, status, after_kill))
            if len(results) == kill_after:
                stack.kill("web0")  # SIGKILL to the server and its gunicorn workers
                killed.set()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(patch, range(total)))
    # The proxy keeps serving from the other app server, reads and writes.
    web = stack.session()
    for i in range(10):
        assert web.get(f"{stack.url}/healthz", timeout=10).status_code == 200
        case, remarks = cases[i % len(cases)], f"Nach dem Absturz {i}"
        answer = web.patch(f"{stack.url}/api/v1/cases/{case}/steps/1", headers=auth,
                           json={"remarks": remarks}, timeout=30)
        results.append((case, remarks, answer.status_code, True))
        assert answer.status_code == 200, answer.text

    assert "PATCH /api/v1/cases/" in stack.log("web0"), "the killed server took no part"
    assert "PATCH /api/v1/cases/" in stack.log("web1")
    failed = [r for r in results if r[2] != 200]
    print(f"burst: {len(results)} step updates, {len(results) - len(failed)} accepted, "
          f"{len(failed)} refused by the proxy {sorted(r[2] for r in failed)}")
    # Only requests in flight on the killed server may fail (502: never sent on twice);
    # every request sent after the kill is served by the other one.
    assert len(failed) <= threads and {r[2] for r in failed} <= {502, 504, 0}, failed
    assert not [r for r in failed if r[3]], failed
    _assert_every_accepted_write_is_stored_and_audited(stack, results)


def _assert_every_accepted_write_is_stored_and_audited(stack: Stack, results: list) -> None:
    cases = stack.data["cases"]
    rows = stack.sql("SELECT case_id, after->>'remarks', (after->>'version')::int "
                     "FROM audit_auditevent WHERE event_type = 'step.updated' "
                     "AND case_id = ANY(%s) AND object_id = case_id::text || ':1' ORDER BY seq",
                     cases)
    states = dict(((c, (v, r)) for c, v, r in stack.sql(
        "SELECT case_id, version, remarks FROM cases_stepstate "
        "WHERE number = 1 AND case_id = ANY(%s)", cases)))
    sent = {(case, remarks) for case, remarks, _, _ in results}
    accepted = {(case, remarks) for case, remarks, status, _ in results if status == 200}
    audited = [(case, remarks) for case, remarks, _ in rows]
    assert accepted <= set(audited), sorted(accepted - set(audited))
    assert len(audited) == len(set(audited)), "a write was applied twice"
    assert set(audited) <= sent
    for case in cases:
        versions = [v for c, _, v in rows if c == case]
        start = stack.data["versions"][str(case)]
        final, remarks = states[case]
        # Every write got its own version, none lost between the row and the audit trail.
        assert versions == list(range(start + 1, final + 1)), (case, versions, final)
        assert remarks == next(r for c, r, v in rows if c == case and v == final)
    verify = stack.manage("audit", "verify")
    assert verify.returncode == 0 and "haderslev: OK" in verify.stdout, verify.stdout + verify.stderr


JOBS = ("anskaf.deadline_reminders", "anskaf.send_digests")


def _runs(stack: Stack) -> dict[str, dict[str, list[str]]]:
    """Per worker and job, the ids of the periodic tasks its scheduler enqueued."""
    runs: dict[str, dict[str, list[str]]] = {}
    for worker in ("worker0", "worker1"):
        log = stack.log(worker)
        runs[worker] = {job: re.findall(rf"Enqueueing periodic task \S*{re.escape(job)}: (\S+)\.",
                                        log) for job in JOBS}
    return runs


def _finished(stack: Stack, task_id: str, logs: str = "") -> bool:
    """Executed, or not run because the other worker held the job's lock."""
    logs = logs or stack.log("worker0") + stack.log("worker1")
    return f"{task_id} executed in" in logs or f"Task {task_id} not run" in logs


def _all_finished(stack: Stack) -> bool:
    runs = _runs(stack)
    if not all(ids for per_job in runs.values() for ids in per_job.values()):
        return False  # each worker's scheduler has enqueued each job at least once
    logs = stack.log("worker0") + stack.log("worker1")
    ids = [i for per_job in runs.values() for job_ids in per_job.values() for i in job_ids]
    finished = all(_finished(stack, i, logs) for i in ids)
    pending = stack.sql("SELECT count(*) FROM notifications_outboxmessage "
                        "WHERE status = 'pending'")[0][0]
    return finished and pending == 0


def _executed(stack: Stack, job: str) -> int:
    logs = stack.log("worker0") + stack.log("worker1")
    return len(re.findall(rf"{re.escape(job)}: \S+ executed in", logs))


ENQUEUE_AGAIN = """
from anskaf.notifications import tasks
print(tasks.deadline_reminders().id, tasks.send_digests().id)
"""


def test_periodic_jobs_run_once_per_period_although_two_identical_workers_run(stack: Stack):
    wait_for("both workers' schedulers to run the reminder and digest jobs",
             lambda: _all_finished(stack), stack, timeout=150)
    runs = sum(len(ids) for per_job in _runs(stack).values() for ids in per_job.values())
    assert runs >= 4  # two schedulers x two jobs, at least once each
    # The lock keeps two runs of one period from overlapping; a run that starts after the
    # other finished (a late scheduler, the next period) must find the moment taken. Queue
    # one more of each, as such a scheduler would.
    again = stack.manage("manage", "shell", "-c", ENQUEUE_AGAIN)
    assert again.returncode == 0, again.stderr
    ids = again.stdout.strip().splitlines()[-1].split()
    wait_for("the extra runs", lambda: all(_finished(stack, i) for i in ids), stack, timeout=60)
    wait_for("the outbox to drain", lambda: stack.sql(
        "SELECT count(*) FROM notifications_outboxmessage WHERE status = 'pending'")[0][0] == 0,
        stack, timeout=60)
    time.sleep(1)  # the last message's SMTP session
    executed = {job: _executed(stack, job) for job in JOBS}
    assert min(executed.values()) >= 2, executed
    print(f"periodic jobs: {runs} enqueued by two schedulers, executed {executed}")
    mails = [(m["To"], m["Subject"], m["Message-ID"]) for m in stack.smtp.messages]
    reminders = [m for m in mails if "over fristen" in m[1]]
    digests = [m for m in mails if m[1].endswith("nye notifikationer")]
    assert [m[0] for m in reminders] == ["koordinator@haderslev.example"], mails
    assert [m[0] for m in digests] == ["dora@haderslev.example"], mails
    assert len({m[2] for m in mails}) == len(mails), "a message was delivered twice"
    assert stack.sql("SELECT count(*) FROM notifications_remindersent")[0][0] == 1
    sent = stack.sql("SELECT count(*) FROM notifications_outboxmessage WHERE status = 'sent'")
    assert sent[0][0] == len(mails)
