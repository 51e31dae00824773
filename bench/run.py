"""`make bench`: serve anskaf with gunicorn on the bench database and load each page with locust.

Prints a table (p50/p95/p99 of server time from gunicorn's access log, the same for the client
side from locust, requests/s, throughput ratio to the floor) and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
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
sys.path.insert(0, str(ROOT))
from bench.mixlib import WRITES, pct  # noqa: E402

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


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


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


def csrf_of(cookie: str) -> str:
    return re.search(r"csrftoken=([^;]*)", cookie).group(1)


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
        # the access logger may put a time, level and request id first (anskaf's log format)
        m = re.search(r"BENCH (\S+) (\d+) (\d+)$", line.strip())
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
    # a line about the anchor log is a note, not an organisation
    broken = [line for line in lines if "OK" not in line and not line.startswith("No anchor")]
    orgs = [line for line in lines if not line.startswith("No anchor")]
    output = (f"{len(orgs) - len(broken)} of {len(orgs)} organisations OK"
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


# --- targets (issue 23) ------------------------------------------------------------------------
# Throughput against the floor: every HTML page and API call >= 50 %, the case page (with the
# parts it loads) >= 30 %, the empty shell >= 80 %; every page's p95 <= 4x the floor's p95;
# national p95 <= 1.2x municipality p95.
MIN_RATIO = {"case page": 0.3, "empty shell": 0.8}
NO_TARGET = {"floor", "case page, first response", "case part"}  # reported, not judged alone
P95_FACTOR = 4.0
GROWTH = 1.2


def min_ratio(name: str) -> float:
    return MIN_RATIO.get(name, 0.5)


def write_section(res_path: Path, key: str, block: str) -> None:
    marker_start, marker_end = f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"
    text = res_path.read_text() if res_path.exists() else (
        "# Benchmark results (issue 8)\n\nWritten by `make bench` (bench/run.py); one section per "
        "scale, replaced on each run. See bench/README.md for the findings.\n\n")
    section = f"{marker_start}\n{block}{marker_end}\n"
    if marker_start in text:
        text = re.sub(re.escape(marker_start) + ".*?" + re.escape(marker_end) + "\n?",
                      lambda _m: section, text, flags=re.S)
    else:
        text += "\n" + section
    res_path.write_text(text)
    log(f"written {res_path} ({key})")


# --- the mixed workload (bench/mixed.py) ---------------------------------------------------------


def prepare_plan(url: str, people: int, orgs: int) -> dict:
    path = BENCH / "out" / "mixed_plan.json"
    subprocess.run([sys.executable, str(BENCH / "mixed_prepare.py"), "--out", str(path),
                    "--people", str(people), "--orgs", str(orgs)],
                   env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, check=True)
    return json.loads(path.read_text())


def log_in_everyone(base: str, plan: dict) -> Path:
    """Every person of the plan logs in through the real login form (not timed); the plan with
    their cookies goes to the locustfile."""
    for person in plan["people"]:
        person["cookie"] = login(base, person["username"], "bench")
        person["csrf"] = csrf_of(person["cookie"])
    path = BENCH / "out" / "mixed_plan_sessions.json"
    path.write_text(json.dumps(plan))
    return path


def run_mix(label: str, plan_path: Path, base: str, seconds: int, users: int,
            weights: str = "") -> dict:
    out = BENCH / "out" / f"mix_{label}.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_PLAN": str(plan_path), "BENCH_MIX_OUT": str(out)}
    if weights:  # the floor's run; else the mix's weights (BENCH_MIX_WEIGHTS, or mixlib.ACTIONS)
        env["BENCH_MIX_WEIGHTS"] = weights
    load0 = loadavg()
    with (BENCH / "out" / f"mix_{label}.log").open("wb") as fh:
        subprocess.run([str(BIN / "locust"), "-f", str(BENCH / "mixed.py"), "--headless",
                        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base,
                        "--only-summary", "--loglevel", "WARNING"],
                       env=env, check=False, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    data = json.loads(out.read_text())
    data["load"] = (load0, loadavg())
    return data


def summarise(data: dict, users: int) -> dict[str, dict]:
    """Per name: samples, failures, refused writes (409), client p50/p95/p99 and mean (ms),
    queries per request, and the equivalent throughput users / mean time (Little's law: with
    no think time a closed loop of `users` doing only this page at this time per page would
    serve that many per second; the floor's is its measured rate)."""
    rows = {}
    for name, samples in data["times"].items():
        ms = [s[0] for s in samples]
        queries = [s[1] for s in samples if s[1] >= 0]
        cpu = [s[2] for s in samples if len(s) > 2 and s[2] >= 0]
        status = data["status"].get(name, {})
        refused = status.get("409", 0) if name in WRITES else 0
        failures = sum(n for code, n in status.items()
                       if code != "200" and not (name in WRITES and code == "409"))
        mean = statistics.fmean(ms) if ms else float("nan")
        rows[name] = {"n": len(ms), "fail": failures, "refused": refused,
                      "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99),
                      "mean": mean, "rate": len(ms) / data["elapsed"],
                      "eq": users * 1000 / mean if ms else float("nan"),
                      "queries": statistics.fmean(queries) if queries else float("nan"),
                      "qmax": max(queries) if queries else float("nan"),
                      "cpu": statistics.fmean(cpu) if cpu else float("nan")}
    return rows


ORDER = ["case page", "case page, first response", "case part", "my tasks", "case list",
         "api case", "api case list", "api tasks", "write remarks", "write checklist",
         "write complete"]


def mixed_growth(results_path: Path, scale: str) -> dict[str, float]:
    """p95 per page (median of the runs) of the municipality's mixed section, for the 1.2x target."""
    if not scale.startswith("national") or not results_path.exists():
        return {}
    m = re.search(r"<!-- bench:mixed-municipality:p95 (\{.*?\}) -->", results_path.read_text())
    return json.loads(m.group(1)) if m else {}


def mixed_block(scale: str, info: dict, plan: dict, runs: list[dict], args, m: dict,
                muni: dict[str, float]) -> tuple[str, dict[str, float]]:
    med = statistics.median
    floors = [r["floor"]["floor"] for r in runs]
    floor_eq = med(f["rate"] for f in floors)
    floor_p95 = med(f["p95"] for f in floors)
    names = [n for n in ORDER if any(n in r["mix"] for r in runs)]
    floor_cpu = med(f["cpu"] for f in floors)
    header = ("| page | samples | fail | 409 | p50 | p95 | p99 | queries/req (max) | "
              "server CPU ms | CPU vs floor | pages/s equiv. | vs floor (each run) | target | "
              "p95 vs floor p95 | target |" + (" p95 vs municipality |" if muni else ""))
    lines = [header, "|" + "---|" * (16 if muni else 15),
             f"| floor (alone, same users) | {sum(f['n'] for f in floors)} | "
             f"{sum(f['fail'] for f in floors)} | – | {med(f['p50'] for f in floors):.1f} | "
             f"{floor_p95:.1f} | {med(f['p99'] for f in floors):.1f} | "
             f"{med(f['queries'] for f in floors):.1f} ({max(f['qmax'] for f in floors):.0f}) | "
             f"{floor_cpu:.1f} | 100 % | {floor_eq:.1f} req/s | 100 % | – | 1.0x | – |"
             + (" – |" if muni else "")]
    p95s = {}
    verdicts = []
    for name in names:
        rows = [(r["mix"][name], r["floor"]["floor"]) for r in runs if name in r["mix"]]
        ratios = [row["eq"] / floor["rate"] for row, floor in rows]
        ratio = med(ratios)
        p95 = med(row["p95"] for row, _ in rows)
        p95s[name] = p95
        cpu = med(row["cpu"] for row, _ in rows)
        p95_ratio = med(row["p95"] / floor["p95"] for row, floor in rows)
        judged = name not in NO_TARGET
        ok_tp = ratio >= min_ratio(name)
        ok_p95 = p95_ratio <= P95_FACTOR
        fails = sum(row["fail"] for row, _ in rows)
        if judged:
            verdicts.append((name, ok_tp, ratio, ok_p95, p95_ratio))
        growth = ""
        if muni:
            growth = (f" {p95 / muni[name]:.2f}x {'ok' if p95 <= GROWTH * muni[name] else 'MISS'} |"
                      if muni.get(name) else " – |")
        lines.append(
            f"| {name} | {sum(row['n'] for row, _ in rows)} | {fails} | "
            f"{sum(row['refused'] for row, _ in rows)} | {med(row['p50'] for row, _ in rows):.1f} | "
            f"{p95:.1f} | {med(row['p99'] for row, _ in rows):.1f} | "
            f"{med(row['queries'] for row, _ in rows):.1f} "
            f"({max(row['qmax'] for row, _ in rows):.0f}) | {cpu:.1f} | {floor_cpu / cpu:.0%} | "
            f"{med(row['eq'] for row, _ in rows):.1f} | {ratio:.0%} "
            f"({', '.join(f'{x:.0%}' for x in ratios)}) | "
            f"{('ok' if ok_tp else 'MISS') + f' (>= {min_ratio(name):.0%})' if judged else '–'} | "
            f"{p95_ratio:.1f}x | {('ok' if ok_p95 else 'MISS') if judged else '–'} |{growth}")
    per_run = []
    for i, r in enumerate(runs, 1):
        mix = r["data"]
        frags = mix["fragments"]
        looked = frags.get("hit", 0) + frags.get("miss", 0)
        total = sum(len(v) for k, v in mix["times"].items() if k != "case page")
        actions = sum(len(v) for k, v in mix["times"].items()
                      if k not in ("case page, first response", "case part"))
        writes = sum(len(mix["times"].get(k, [])) for k in WRITES)
        per_run.append(
            f"| {i} | {r['floor']['floor']['rate']:.1f} | {total / mix['elapsed']:.1f} | "
            f"{actions / mix['elapsed']:.1f} | {writes / max(actions, 1):.1%} / "
            f"{writes / max(total, 1):.1%} | {mix['actors']} / {mix['orgs']} | "
            f"{len(mix['opened'])} | {frags.get('hit', 0)} / {looked} = "
            f"{(frags.get('hit', 0) / looked) if looked else float('nan'):.0%}"
            f"{'; ' + str(frags.get('uncached', 0)) + ' uncached' if frags.get('uncached') else ''}"
            f" | {r['floor_load'][0]} → {r['data']['load'][1]} |")
    opened = len(set().union(*(set(r["data"]["opened"]) for r in runs)))
    met = [f"{n} {tp:.0%}" for n, ok, tp, _o, _p in verdicts if ok]
    missed = [f"{n} {tp:.0%} (< {min_ratio(n):.0%})" for n, ok, tp, _o, _p in verdicts if not ok]
    p95_missed = [f"{n} {p:.1f}x" for n, _ok, _t, ok, p in verdicts if not ok]
    scale_note = "" if plan["orgs"] >= 20 else (
        f" (fewer than the issue's 20: the data has {info['orgs']} municipalities and the run "
        f"asked for {args.mix_orgs})")
    bullets = [
        f"date: {m['date']}; commit: `{m['commit']}`",
        f"machine: {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; Python {m['python']}; "
        f"{m['postgres']}",
        f"server: gunicorn (via `anskaf serve --no-migrate`), {args.workers} workers x "
        f"{args.threads} threads, same machine; cache: {args.cache_label}",
        f"load: locust headless (FastHttpUser, bench/mixed.py), {args.mix_users} concurrent "
        f"users without think time; each iteration a random person of {len(plan['people'])} "
        f"from {plan['orgs']} municipalities{scale_note}, all logged in through the login form "
        f"before the load; {args.mix_runs} run(s) of {args.mix_seconds} s, each right after the "
        f"floor alone ({args.mix_floor_seconds} s, same users and persons); the figures are the "
        "median over the runs, the counts their sum",
        f"load average (1/5/15 min) at the start of the first run: {runs[0]['floor_load'][0]}; "
        f"at the end of the last: {runs[-1]['data']['load'][1]} (the machine is shared: see the "
        "per-run table)",
        "times in ms, client side (request sent to response read); \"case page\" is the first "
        "response plus every part it loads by itself (`hx-trigger=\"load\"`), fetched one after "
        "the other; \"pages/s equiv.\" = users / mean time, the rate these users would reach "
        "doing only that page at the time it took in this mix; \"vs floor\" = that against the "
        "floor's measured rate alone; queries per request from the bench-only `X-Bench-Queries` "
        "header (the case page: the sum over its requests); 409 = a write the service refused "
        "(counted apart, not a failure); \"server CPU ms\" = the CPU time of the serving thread "
        "in Django per page (`X-Bench-CPU`; not PostgreSQL's, not the queueing) and \"CPU vs "
        "floor\" the floor's over it: the page's own cost, independent of what it queued behind",
        f"targets (issue 23): throughput >= 50 % of the floor (case page >= 30 %), p95 <= "
        f"{P95_FACTOR:.0f}x the floor's p95"
        + ("; national p95 <= 1.2x the municipality's mix" if muni else ""),
    ]
    per_run_head = ("| run | floor req/s | mix req/s (all requests) | actions/s | writes (of actions "
                    "/ of requests) | persons / municipalities | distinct cases opened | "
                    "fragment cache hits | load average floor start → mix end |")
    block = "\n".join([
        f"## mixed workload, {scale}: {info['orgs']} organisation(s), {info['cases']} cases",
        "", *(f"- {b}" for b in bullets), "", *lines, "", per_run_head, "|" + "---|" * 9,
        *per_run, "",
        f"Distinct cases opened over all runs: {opened}. Throughput targets met: "
        f"{', '.join(met) or 'none'}; missed: {', '.join(missed) or 'none'}. p95 <= "
        f"{P95_FACTOR:.0f}x floor missed by: {', '.join(p95_missed) or 'none'}.", ""])
    return block, p95s


def mixed(args, url: str, base: str, info: dict, plan: dict, scale: str) -> tuple[str, dict]:
    plan_path = log_in_everyone(base, plan)
    runs = []
    for i in range(1, args.mix_runs + 1):
        log(f"  mixed run {i}/{args.mix_runs}: floor {args.mix_floor_seconds} s, mix "
            f"{args.mix_seconds} s, {args.mix_users} users ...")
        floor = run_mix(f"floor{i}", plan_path, base, args.mix_floor_seconds, args.mix_users,
                        "floor=1")
        data = run_mix(f"run{i}", plan_path, base, args.mix_seconds, args.mix_users)
        runs.append({"floor": summarise(floor, args.mix_users), "floor_load": floor["load"],
                     "mix": summarise(data, args.mix_users), "data": data})
    muni = mixed_growth(Path(args.results), scale)
    block, p95s = mixed_block(scale, info, plan, runs, args, machine(), muni)
    return block, p95s


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    env = os.environ.get
    p.add_argument("--seconds", type=int, default=int(env("BENCH_SECONDS", 20)))
    p.add_argument("--users", type=int, default=int(env("BENCH_USERS", 8)))
    p.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", 3)))
    p.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", 2)))
    p.add_argument("--port", type=int, default=int(env("PORT", 8765)))
    p.add_argument("--scale", default=env("SCALE", ""),
                   help="label for the results (default: from the data)")
    p.add_argument("--results", default=str(BENCH / "RESULTS.md"))
    p.add_argument("--only", default="",
                   help="comma-separated page names to measure (the floor always runs); "
                        "skips the PDF export, the audit check and the mix and writes no "
                        "RESULTS.md")
    p.add_argument("--mix", default=env("BENCH_MIX", "1"), choices=["0", "1", "only"],
                   help="1: per-page runs and the mixed workload (default); 0: per-page only; "
                        "only: the mixed workload only")
    p.add_argument("--mix-seconds", type=int, default=int(env("BENCH_MIX_SECONDS", 60)))
    p.add_argument("--mix-floor-seconds", type=int,
                   default=int(env("BENCH_MIX_FLOOR_SECONDS", 20)))
    p.add_argument("--mix-runs", type=int, default=int(env("BENCH_MIX_RUNS", 3)))
    p.add_argument("--mix-users", type=int, default=int(env("BENCH_MIX_USERS", 8)),
                   help="concurrent locust users of the mix (and its floor)")
    p.add_argument("--mix-people", type=int, default=int(env("BENCH_MIX_PEOPLE", 48)),
                   help="distinct persons (accounts) the mix acts as")
    p.add_argument("--mix-orgs", type=int, default=int(env("BENCH_MIX_ORGS", 24)))
    p.add_argument("--cache", default=env("BENCH_CACHE", "redis://127.0.0.1:6379/0"),
                   help="REDIS_URL of the server's cache, or 'local' for the per-process cache")
    args = p.parse_args(argv)
    url = env("DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    os.environ["PYTHONPATH"] = f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    os.environ["ANSKAF_DEMO"] = "0"
    dbname = url.rsplit("/", 1)[-1]
    if args.cache != "local":
        os.environ["REDIS_URL"] = args.cache
        # the cache's key prefix: one per bench database, so two never share an entry
        os.environ["ANSKAF_HUEY_NAME"] = f"anskaf-bench-{dbname}"
        args.cache_label = f"Redis ({args.cache}, prefix anskaf-bench-{dbname})"
    else:
        os.environ.pop("REDIS_URL", None)
        args.cache_label = "per-process memory (LocMemCache)"
    pending = subprocess.run([str(BIN / "anskaf"), "manage", "migrate", "--check"], env=os.environ,
                             cwd=ROOT, capture_output=True, text=True)
    if pending.returncode != 0:  # the server runs --no-migrate: a missing table fails every page
        raise SystemExit("bench: the database has unapplied migrations; run "
                         "`DATABASE_URL=... .venv/bin/anskaf manage migrate` (or make bench-data)")
    info = pick(url)
    scale = args.scale or ("national" if info["orgs"] > 1 else "municipality")
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    do_pages = args.mix != "only"
    do_mix = args.mix != "0" and not only
    log(f"bench: scale={scale} ({info['orgs']} orgs, {info['cases']} cases) user="
        f"{info['username']} db={url} per-page={do_pages} mix={do_mix} cache={args.cache_label}")
    (BENCH / "out").mkdir(exist_ok=True)
    plan = prepare_plan(url, args.mix_people, args.mix_orgs) if do_mix else None
    base = f"http://127.0.0.1:{args.port}"
    out = BENCH / "out"
    log_path = out / "gunicorn.log"
    env_server = {**os.environ,
                  "GUNICORN_CMD_ARGS": "--access-logformat 'BENCH %(U)s %(s)s %(D)s'"}
    with log_path.open("wb") as fh:
        server = subprocess.Popen(
            [str(BIN / "anskaf"), "serve", "--no-migrate", "--port", str(args.port),
             "--workers", str(args.workers), "--threads", str(args.threads)],
            env=env_server, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
            start_new_session=True)
    results = []
    pdf = None
    mix_block = None
    mix_p95: dict[str, float] = {}
    load = [loadavg(), ""]
    try:
        wait_up(base)
        cookie = login(base, info["username"], "bench")
        ids = info["case_ids"]
        if do_pages:
            pages = [
                ("floor", ["/bench/floor"]),
                ("empty shell", ["/bench/shell"]),
                ("case list", ["/sager/"]),
                ("case list filter+search", ["/sager/?status=active&q=system"]),
                ("case page", [f"/sager/{i}/" for i in ids]),
                ("my tasks", ["/opgaver/"]),
                ("api case", [f"/api/v1/cases/{i}" for i in ids]),
                ("portfolio list", ["/systemer/"]),
            ]
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
            load[1] = loadavg()
            pdf = None if only else time_pdf_export(base, cookie, ids[:20])
        if do_mix:
            mix_block, mix_p95 = mixed(args, url, base, info, plan, scale)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    res_path = Path(args.results)
    if mix_block is not None:
        print()
        print(mix_block)
        key = f"mixed-{scale}"
        write_section(res_path, key, mix_block + f"<!-- bench:{key}:p95 {json.dumps(mix_p95)} -->\n")
    if not do_pages:
        return 0
    verify = None if only or env("BENCH_VERIFY", "1") == "0" else time_verify(url, info)
    floor_rps = results[0]["rps"] or 1
    floor_s95 = results[0]["s95"] or 1
    muni = municipality_p95(res_path) if scale == "national" else {}
    header = ("| page | path | req | fail | server p50 | p95 | p99 | client p50 | p95 | p99 | "
              "req/s | vs floor | target | p95 vs floor | target |"
              + (" p95 vs municipality |" if muni else ""))
    lines = [header, "|" + "---|" * (16 if muni else 15)]
    for r in results:
        ratio = r["rps"] / floor_rps
        p95_ratio = r["s95"] / floor_s95
        judged = r["name"] != "floor"
        ok = ratio >= min_ratio(r["name"]) and not r["failures"]
        verdict = (f"{'ok' if ok else 'MISS'} (>= {min_ratio(r['name']):.0%})" if judged
                   else "–")
        growth = (f" {r['s95'] / muni[r['name']]:.2f}x "
                  f"{'ok' if r['s95'] <= GROWTH * muni[r['name']] else 'MISS'} |"
                  if r["name"] in muni and muni[r["name"]] else (" – |" if muni else ""))
        lines.append(
            f"| {r['name']} | `{r['path']}` | {r['requests']} | {r['failures']} | "
            f"{r['s50']:.1f} | {r['s95']:.1f} | {r['s99']:.1f} | {r['c50']:.0f} | "
            f"{r['c95']:.0f} | {r['c99']:.0f} | {r['rps']:.1f} | {ratio:.0%} | "
            f"{verdict} | "
            f"{p95_ratio:.1f}x | {('ok' if p95_ratio <= P95_FACTOR else 'MISS') if judged else '–'} |"
            f"{growth}")
    m = machine()
    table = "\n".join(lines)
    heading = (f"## {scale}: {info['orgs']} organisation(s), {info['cases']} cases, "
               f"{info['total_events']} audit events")
    server_text = (f"gunicorn (via `anskaf serve --no-migrate`), {args.workers} workers x "
                   f"{args.threads} threads, same machine; cache: {args.cache_label}")
    load_text = (f"locust headless (FastHttpUser), {args.users} users, no think time, "
                 f"{args.seconds} s per page; logged in as `{info['username']}`")
    audit = "" if verify is None else (
        f"Audit chain: `{verify['command']}`: "
        f"{verify['events']} events in {verify['seconds']:.2f} s = {verify['rate']:.0f} "
        f"events/s (process start included) -> 1 million events ~ "
        f"{1_000_000 / verify['rate']:.0f} s. Result: {verify['output']}"
        f"{'' if verify['ok'] else ' (VERIFY FAILED)'}")
    growth_target = f"; national p95 <= {GROWTH}x the municipality section's" if muni else ""
    block = f"""{heading}

- date: {m['date']}; commit: `{m['commit']}`
- machine: {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; Python {m['python']}; {m['postgres']}
- server: {server_text}
- load: {load_text}
- load average (1/5/15 min) at the start of the per-page runs: {load[0]}; at their end:
  {load[1]}
- times in ms; "server" is gunicorn's request time (%(D)s) of the 200 responses, "client" is
  locust's; the case page here is its first response only (the mixed section counts its parts)
- targets (issue 23): throughput >= 50 % of the floor (case page >= 30 %, empty shell >= 80 %),
  server p95 <= {P95_FACTOR:.0f}x the floor's{growth_target}

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
    write_section(res_path, scale, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
