"""`make bench`: serve anskaf with gunicorn on the bench database and load each page with locust.

Prints a table (p50/p95/p99 of server time from gunicorn's access log, the same for the client
side from locust, requests/s, throughput ratio to the floor) and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/anskaf_bench"


def log(msg: str) -> None:
    print(msg, flush=True)


def machine() -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem, "commit": commit,
            "python": platform.python_version(), "postgres": pg,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def wait_up(base: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not come up")


def login(base: str, username: str, password: str) -> str:
    s = requests.Session()
    r = s.get(f"{base}/log-ind/")
    token = s.cookies.get("csrftoken") or re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
    r = s.post(f"{base}/log-ind/", data={"username": username, "password": password,
                                          "csrfmiddlewaretoken": token},
               headers={"Referer": f"{base}/log-ind/"}, allow_redirects=False)
    if "sessionid" not in s.cookies:
        raise SystemExit(f"login as {username} failed: HTTP {r.status_code}")
    return f"sessionid={s.cookies['sessionid']}; csrftoken={s.cookies.get('csrftoken', '')}"


def pick(url: str) -> dict:
    """The bench user (first forvaltning's coordinator of the first organisation) and cases."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        org_id, slug, n_cases, n_orgs = conn.execute(
            "SELECT o.id, o.slug, (SELECT count(*) FROM cases_case), "
            "(SELECT count(*) FROM orgs_organisation) FROM orgs_organisation o "
            "ORDER BY o.id LIMIT 1").fetchone()
        username = conn.execute(
            "SELECT username FROM orgs_user WHERE organisation_id=%s AND username LIKE "
            "'koordinator-%%' ORDER BY id LIMIT 1", [org_id]).fetchone()[0]
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM cases_case WHERE organisation_id=%s AND NOT restricted "
            "AND status='active' ORDER BY md5(id::text) LIMIT 50", [org_id])]
        events = conn.execute("SELECT count(*) FROM audit_auditevent WHERE organisation_id=%s",
                              [org_id]).fetchone()[0]
        total_events = conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    return {"org": org_id, "slug": slug, "username": username, "case_ids": ids,
            "cases": n_cases, "orgs": n_orgs, "events": events, "total_events": total_events}


def read_access(log_path: Path, offset: int) -> tuple[list[float], int]:
    """Server times (ms) of the access-log lines written since `offset`."""
    with log_path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    times = []
    for line in data.decode(errors="replace").splitlines():
        m = re.match(r"BENCH (\S+) (\d+) (\d+)$", line.strip())
        if m and m.group(2) == "200":
            times.append(int(m.group(3)) / 1000)
    return times, offset + len(data)


def run_page(name: str, paths: list[str], cookie: str, base: str, seconds: int, users: int,
             log_path: Path, offset: int) -> tuple[dict, int]:
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    prefix = out / name.replace(" ", "_").replace("/", "_")
    env = {**os.environ, "BENCH_PATHS": "|".join(paths), "BENCH_COOKIE": cookie,
           "BENCH_NAME": name}
    subprocess.run([str(BIN / "locust"), "-f", str(BENCH / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base,
                    "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                   env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # let gunicorn flush the access log
    server, offset = read_access(log_path, offset)
    row = {}
    with open(f"{prefix}_stats.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["Name"] == name:
                row = r
    n = int(row.get("Request Count", 0) or 0)
    fails = int(row.get("Failure Count", 0) or 0)
    return {"name": name, "path": paths[0], "requests": n, "failures": fails,
            "rps": float(row.get("Requests/s", 0) or 0),
            "c50": float(row.get("50%", "nan") or "nan"),
            "c95": float(row.get("95%", "nan") or "nan"),
            "c99": float(row.get("99%", "nan") or "nan"),
            "s50": pct(server, 50), "s95": pct(server, 95), "s99": pct(server, 99),
            "smean": statistics.fmean(server) if server else float("nan")}, offset


def time_verify(url: str, info: dict) -> dict:
    """`anskaf audit verify` as an operator runs it: the whole installation when it holds a
    million events or more (national), else the one organisation."""
    env = {**os.environ, "DATABASE_URL": url}
    whole = info["total_events"] >= 1_000_000
    argv = [str(BIN / "anskaf"), "audit", "verify"]
    if not whole:
        argv += ["--organisation", info["slug"]]
    events = info["total_events"] if whole else info["events"]
    t0 = time.perf_counter()
    r = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
    dt = time.perf_counter() - t0
    lines = (r.stdout + r.stderr).strip().splitlines()
    broken = [line for line in lines if "OK" not in line]
    output = (f"{len(lines) - len(broken)} of {len(lines)} organisations OK"
              + (f"; {broken[0]}" if broken else "")) if whole else " ".join(lines)
    return {"seconds": dt, "events": events, "rate": events / dt if dt else 0,
            "output": output, "command": " ".join(["anskaf", *argv[1:]]),
            "ok": r.returncode == 0}


def municipality_p95(results_path: Path) -> dict[str, float]:
    """p95 per page from the municipality section of RESULTS.md, for the 1.5x target."""
    if not results_path.exists():
        return {}
    text = results_path.read_text()
    m = re.search(r"<!-- bench:municipality:start -->(.*?)<!-- bench:municipality:end -->", text,
                  re.S)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 13 and cells[0] not in ("page",) and not cells[0].startswith("-"):
            try:
                out[cells[0]] = float(cells[5])
            except ValueError:
                continue
    return out


def time_pdf_export(base: str, cookie: str, ids: list[int]) -> dict:
    """Export the filled-in guide of each case once, sequentially, as one person would."""
    times, sizes = [], []
    requests.get(f"{base}/sager/{ids[0]}/vejledning.pdf", headers={"Cookie": cookie}, timeout=120)
    for i in ids:
        t0 = time.perf_counter()
        r = requests.get(f"{base}/sager/{i}/vejledning.pdf", headers={"Cookie": cookie},
                         timeout=120)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200 or not r.content.startswith(b"%PDF"):
            raise SystemExit(f"PDF export of case {i} failed: HTTP {r.status_code}")
        sizes.append(len(r.content) / 1024)
    times.sort()
    return {"n": len(times), "p50": times[len(times) // 2],
            "p95": times[min(len(times) - 1, int(len(times) * 0.95))], "max_kb": max(sizes)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 20)))
    p.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 8)))
    p.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    p.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 2)))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8765)))
    p.add_argument("--scale", default=os.environ.get("SCALE", ""),
                   help="label for the results (default: from the data)")
    p.add_argument("--results", default=str(BENCH / "RESULTS.md"))
    p.add_argument("--only", default="",
                   help="comma-separated page names to measure (the floor always runs); "
                        "skips the PDF export and the audit check and writes no RESULTS.md")
    args = p.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    os.environ["PYTHONPATH"] = f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    os.environ["ANSKAF_DEMO"] = "0"
    pending = subprocess.run([str(BIN / "anskaf"), "manage", "migrate", "--check"], env=os.environ,
                             cwd=ROOT, capture_output=True, text=True)
    if pending.returncode != 0:  # the server runs --no-migrate: a missing table fails every page
        raise SystemExit("bench: the database has unapplied migrations; run "
                         "`DATABASE_URL=... .venv/bin/anskaf manage migrate` (or make bench-data)")
    info = pick(url)
    scale = args.scale or ("national" if info["orgs"] > 1 else "municipality")
    log(f"bench: scale={scale} ({info['orgs']} orgs, {info['cases']} cases) user="
        f"{info['username']} db={url}")
    base = f"http://127.0.0.1:{args.port}"
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    log_path = out / "gunicorn.log"
    env = {**os.environ, "GUNICORN_CMD_ARGS": "--access-logformat 'BENCH %(U)s %(s)s %(D)s'"}
    with log_path.open("wb") as fh:
        server = subprocess.Popen(
            [str(BIN / "anskaf"), "serve", "--no-migrate", "--port", str(args.port),
             "--workers", str(args.workers), "--threads", str(args.threads)],
            env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    results = []
    try:
        wait_up(base)
        cookie = login(base, info["username"], "bench")
        ids = info["case_ids"]
        pages = [
            ("floor", ["/bench/floor"]),
            ("case list", ["/sager/"]),
            ("case list filter+search", ["/sager/?status=active&q=system"]),
            ("case page", [f"/sager/{i}/" for i in ids]),
            ("my tasks", ["/opgaver/"]),
            ("api case", [f"/api/v1/cases/{i}" for i in ids]),
            ("portfolio list", ["/systemer/"]),
        ]
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        if only:
            pages = [pg for pg in pages if pg[0] in only | {"floor"}]
        for _name, paths in pages:  # warm every worker once
            for path in paths[:3]:
                for _ in range(args.workers * args.threads):
                    requests.get(base + path, headers={"Cookie": cookie}, timeout=60)
        offset = log_path.stat().st_size
        for name, paths in pages:
            log(f"  {name:<26} {args.seconds} s, {args.users} users ...")
            res, offset = run_page(name, paths, cookie, base, args.seconds, args.users,
                                   log_path, offset)
            results.append(res)
        pdf = None if only else time_pdf_export(base, cookie, ids[:20])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    verify = None if only else time_verify(url, info)
    floor_rps = results[0]["rps"] or 1
    muni = municipality_p95(Path(args.results)) if scale == "national" else {}
    header = ("| page | path | req | fail | server p50 | p95 | p99 | client p50 | p95 | p99 | "
              "req/s | vs floor | target |" + (" p95 vs municipality |" if muni else ""))
    lines = [header, "|" + "---|" * (14 if muni else 13)]
    for r in results:
        ratio = r["rps"] / floor_rps
        ok = (r["s95"] <= 50 and (r["name"] == "floor" or ratio >= 0.4) and not r["failures"])
        growth = (f" {r['s95'] / muni[r['name']]:.2f}x "
                  f"{'ok' if r['s95'] <= 1.5 * muni[r['name']] else 'MISS'} |"
                  if r["name"] in muni and muni[r["name"]] else (" – |" if muni else ""))
        lines.append(
            f"| {r['name']} | `{r['path']}` | {r['requests']} | {r['failures']} | "
            f"{r['s50']:.1f} | {r['s95']:.1f} | {r['s99']:.1f} | {r['c50']:.0f} | "
            f"{r['c95']:.0f} | {r['c99']:.0f} | {r['rps']:.1f} | {ratio:.0%} | "
            f"{'ok' if ok else 'MISS'} |{growth}")
    m = machine()
    table = "\n".join(lines)
    heading = (f"## {scale}: {info['orgs']} organisation(s), {info['cases']} cases, "
               f"{info['total_events']} audit events")
    server = (f"gunicorn (via `anskaf serve --no-migrate`), {args.workers} workers x "
              f"{args.threads} threads, same machine")
    load = (f"locust headless (FastHttpUser), {args.users} users, no think time, "
            f"{args.seconds} s per page; logged in as `{info['username']}`")
    audit = "" if verify is None else (
        f"Audit chain: `{verify['command']}`: "
        f"{verify['events']} events in {verify['seconds']:.2f} s = {verify['rate']:.0f} "
        f"events/s (process start included) -> 1 million events ~ "
        f"{1_000_000 / verify['rate']:.0f} s. Result: {verify['output']}"
        f"{'' if verify['ok'] else ' (VERIFY FAILED)'}")
    growth_target = "; national p95 <= 1.5 x the municipality section's" if muni else ""
    block = f"""{heading}

- date: {m['date']}; commit: `{m['commit']}`
- machine: {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; Python {m['python']}; {m['postgres']}
- server: {server}
- load: {load}
- times in ms; "server" is gunicorn's request time (%(D)s) of the 200 responses, "client" is locust's
- target: server p95 <= 50 ms and throughput >= 40 % of the floor{growth_target}

{table}

{audit}
"""
    if pdf is not None:
        block += (f"\nCase PDF export (`/sager/<id>/vejledning.pdf`, the filled-in guide, "
                  f"PDF/A-2b), one person, {pdf['n']} cases one after another: p50 "
                  f"{pdf['p50']:.0f} ms, p95 {pdf['p95']:.0f} ms, largest {pdf['max_kb']:.0f} kB; "
                  f"target p95 < 1000 ms: {'ok' if pdf['p95'] < 1000 else 'MISS'}.\n")
    print()
    print(block)
    if only:
        return 0  # a partial run is for looking, not for RESULTS.md
    res_path = Path(args.results)
    marker_start, marker_end = f"<!-- bench:{scale}:start -->", f"<!-- bench:{scale}:end -->"
    text = res_path.read_text() if res_path.exists() else (
        "# Benchmark results (issue 8)\n\nWritten by `make bench` (bench/run.py); one section per "
        "scale, replaced on each run. See bench/README.md for the findings.\n\n")
    section = f"{marker_start}\n{block}{marker_end}\n"
    if marker_start in text:
        text = re.sub(re.escape(marker_start) + ".*?" + re.escape(marker_end) + "\n?", section,
                      text, flags=re.S)
    else:
        text += "\n" + section
    res_path.write_text(text)
    log(f"written {res_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
