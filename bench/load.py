#!/usr/bin/env python
"""Measure the web tier against a generated database (see bench/generate.py).

    python bench/load.py [--database-url postgres://...] [--data-dir DIR]

Starts the real server (``opsdesk web --port 8123 --workers 1``, granian) on 127.0.0.1 against the
chosen database, then, with a bounded number of requests from a few client threads on loopback:

a. the first page of ``GET /api/v1/incidents``, unfiltered and with each single filter (bearer token of
   an agent who sees every customer): latency p50/p95 per case, at each concurrency level;
b. the first page of the HTML queue ``/incidents/`` with the same filters (logged-in browser session);
c. ``POST /api/v1/incidents`` creating ``--create`` incidents with ``--create-concurrency`` clients:
   incidents per second;
d. the resident memory (VmRSS) of every server process, the maximum over the whole run.

Prints a table and writes the figures as JSON to bench/out/. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402

HOST = "127.0.0.1"
TARGET_P95_MS = 100.0
TARGET_CREATE_PER_S = 200.0
TARGET_RSS_MB = 200.0


# --- HTTP on loopback -----------------------------------------------------------------------------------


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.port = port
        self.headers = headers or {}
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        return conn

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ):
        """-> (status, seconds, response headers, body)."""
        all_headers = {**self.headers, **(headers or {})}
        for attempt in (1, 2):
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                self.local.conn = None
            return response.status, elapsed, response.getheaders(), data
        raise RuntimeError("unreachable")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class CpuMeter:
    """CPU time used by the server's processes and by the PostgreSQL backends serving them.

    On a shared machine wall-clock latency depends on what else runs; CPU per request does not (much),
    so it is reported beside the latencies: at most 1000 / web-ms requests per second per worker."""

    def __init__(self, server_pid: int, vendor: str):
        self.server_pid, self.vendor = server_pid, vendor
        self.tick = os.sysconf("SC_CLK_TCK")

    def _cpu(self, pid: int) -> float:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def _backends(self) -> list[int]:
        if self.vendor != "postgresql":
            return []
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
            return [row[0] for row in cursor.fetchall()]

    def sample(self) -> dict[str, dict[int, float]]:
        return {
            "web": {pid: self._cpu(pid) for pid in descendants(self.server_pid)},
            "db": {pid: self._cpu(pid) for pid in self._backends()},
        }

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        return {
            part: sum(after[part][pid] - before[part].get(pid, 0.0) for pid in after[part]) for part in after
        }


def run_requests(
    client: Client, make_request, count: int, concurrency: int, deadline_s: float, cpu: CpuMeter | None = None
) -> dict:
    """Send ``count`` requests from ``concurrency`` threads (or stop at the deadline); latency figures."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    samples: list[str] = []
    lock = threading.Lock()
    issued = 0
    stop_at = time.monotonic() + deadline_s

    def worker():
        nonlocal issued
        while True:
            with lock:
                if issued >= count or time.monotonic() > stop_at:
                    return
                index = issued
                issued += 1
            method, path, body, headers = make_request(index)
            try:
                status, elapsed, _headers, data = client.request(method, path, body, headers)
            except OSError as exc:
                status, elapsed, data = 0, 0.0, str(exc).encode()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status in (200, 201):
                    latencies.append(elapsed * 1000)
                elif len(samples) < 3:
                    samples.append(f"{status}: {data[:300].decode(errors='replace')}")

    cpu_before = cpu.sample() if cpu else None
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    wall = time.perf_counter() - started
    used = CpuMeter.used(cpu_before, cpu.sample()) if cpu else {}
    ok = len(latencies)
    done = max(sum(statuses.values()), 1)
    return {
        "web_cpu_ms_per_req": round(used["web"] * 1000 / done, 1) if "web" in used else None,
        "db_cpu_ms_per_req": round(used["db"] * 1000 / done, 1)
        if cpu and cpu.vendor == "postgresql"
        else None,
        "requests": sum(statuses.values()),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": samples,
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "per_s": round(ok / wall, 1) if wall else None,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


# --- the server and its memory ---------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:200]
    except OSError:
        return ""


class MemoryWatch(threading.Thread):
    """Samples VmRSS of the server and all its child processes; keeps the maximum per process."""

    def __init__(self, root: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.max_kb: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(self.interval)

    def sample(self):
        for pid in descendants(self.root):
            kb = rss_kb(pid)
            if kb is None:
                continue
            if pid not in self.names:
                self.names[pid] = cmdline(pid)
            self.max_kb[pid] = max(self.max_kb.get(pid, 0), kb)

    def report(self) -> list[dict]:
        return [
            {
                "pid": pid,
                "role": "main" if pid == self.root else "worker",
                "cmdline": self.names.get(pid, ""),
                "max_rss_mb": round(kb / 1024, 1),
            }
            for pid, kb in sorted(self.max_kb.items())
        ]


def start_server(args, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    opsdesk = _django.REPO / ".venv" / "bin" / "opsdesk"
    if not port_free(args.port):
        raise SystemExit(f"port {args.port} on {HOST} is in use; choose another with --port")
    argv = [str(opsdesk), "web", "--host", HOST, "--port", str(args.port), "--workers", str(args.workers)]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    log = open(log_path, "w")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    probe = Client(args.port)
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; see {log_path}")
        try:
            status, *_ = probe.request("GET", "/login/")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"the server did not answer within 60 s; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # the process group this script started
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
    server.log.close()  # type: ignore[attr-defined]


# --- the scenario -----------------------------------------------------------------------------------------


def prepare(args) -> dict:
    """Token, session password and filter values, read from the database through Django."""
    from django.core.management import call_command
    from django.db import connection

    from opsdesk.accounts.models import Organisation, Person, User, Workgroup
    from opsdesk.accounts.services import create_token
    from opsdesk.core.context import acting_as
    from opsdesk.incidents.models import Category, Incident

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # as a deployment does before `opsdesk web`
    agent = User.objects.filter(username=args.user).first()
    if agent is None:
        raise SystemExit(f"no user {args.user!r}: generate the data first (bench/generate.py)")
    with acting_as(None, "system"):
        _token, raw = create_token(agent, "bench")
    customers = list(Organisation.objects.filter(kind="customer").order_by("id"))
    newest = Incident.objects.order_by("-id").values_list("opened_at", flat=True).first()
    if newest is None:
        raise SystemExit("the database has no incidents: run bench/generate.py first")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'incidents_incident'")
            estimate = cursor.fetchone()[0]
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT MAX(id) FROM incidents_incident")
            estimate = cursor.fetchone()[0]
            cursor.execute("SELECT sqlite_version()")
            version = "SQLite " + cursor.fetchone()[0]
    requesters = {
        org.pk: list(Person.objects.filter(organisation=org).order_by("id").values_list("id", flat=True)[:50])
        for org in customers
    }
    categories = list(Category.objects.filter(parent=None).order_by("id").values_list("id", flat=True))
    network = Workgroup.objects.get(name="Network")
    hardware = Category.objects.get(name="Hardware", parent=None)
    oldest = Incident.objects.order_by("id").values_list("opened_at", flat=True).first()
    opened_from = (newest - dt.timedelta(days=30)).date().isoformat()
    opened_to = (oldest + dt.timedelta(days=60)).date().isoformat()
    filters = [
        ("unfiltered", {}),
        ("status=open", {"status": "open"}),
        ("priority=1", {"priority": "1"}),
        (f"organisation={customers[0].short_name}", {"organisation": customers[0].pk}),
        ("workgroup=Network", {"workgroup": network.pk}),
        (f"owner={agent.username}", {"owner": agent.pk}),
        ("channel=email", {"channel": "email"}),
        ("category=Hardware", {"category": hardware.pk}),
        ("q=printer", {"q": "printer"}),
        (f"opened_from={opened_from}", {"opened_from": opened_from}),
        (f"opened_to={opened_to}", {"opened_to": opened_to}),
        # Worst cases, reported for information: a rare priority and a word no incident contains.
        ("priority=0 (rare)", {"priority": "0"}),
        ("q=zeppelin (no match)", {"q": "zeppelin"}),
    ]
    return {
        "token": raw,
        "agent": agent.username,
        "filters": filters,
        "customers": [c.pk for c in customers],
        "requesters": requesters,
        "categories": categories,
        "vendor": connection.vendor,
        "database": _django.describe_database(),
        "database_version": version,
        "incidents_estimate": estimate,
    }


def login_session(port: int, username: str, password: str) -> str:
    """Log in through /login/ like a browser; returns the Cookie header."""
    client = Client(port)
    status, _t, headers, body = client.request("GET", "/login/")
    cookies = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match or "csrftoken" not in cookies:
        raise SystemExit(f"GET /login/ gave {status}; cannot log in")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
    ).encode()
    status, _t, headers, body = client.request(
        "POST",
        "/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(cookies),
            "Referer": f"http://{HOST}:{port}/login/",
        },
    )
    cookies.update(_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"POST /login/ gave {status}; cannot log in: {body[:300]!r}")
    return _cookie_header(cookies)


def _cookies(headers) -> dict[str, str]:
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            if val:
                out[key.strip()] = val.strip()
    return out


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def measure_lists(args, ctx, client: Client, base: str, accept: str, cpu: CpuMeter) -> list[dict]:
    results = []
    for name, params in ctx["filters"]:
        if args.cases and not any(name.startswith(c) for c in args.cases):
            continue
        path = base + ("?" + urllib.parse.urlencode(params) if params else "")
        status, _t, _h, body = client.request("GET", path, headers={"Accept": accept})
        rows = None
        if status == 200 and accept == "application/json":
            rows = len(json.loads(body).get("results", []))
        elif status == 200:
            rows = body.count(b"<tr") - 1  # minus the header row
        for _ in range(args.warmup):
            client.request("GET", path, headers={"Accept": accept})
        for level in args.levels:
            figures = run_requests(
                client,
                lambda _i, path=path: ("GET", path, None, {"Accept": accept}),
                args.requests,
                level,
                args.case_timeout,
                cpu,
            )
            figures.update(case=name, path=path, first_page_rows=rows, first_status=status)
            results.append(figures)
            print(_row(base, figures), flush=True)
    return results


def measure_create(args, ctx, client: Client, cpu: CpuMeter) -> dict:
    customers, requesters, categories = ctx["customers"], ctx["requesters"], ctx["categories"]
    impacts = ["low", "low", "low", "medium", "none"]

    def item(i: int) -> dict:
        org = customers[i % len(customers)]
        people = requesters[org]
        return {
            "organisation": org,
            "requester": people[i % len(people)],
            "title": f"Bench: printer not working on floor {i % 7}",
            "description": "Created by bench/load.py to measure the create path.",
            "impact": impacts[i % len(impacts)],
            "urgency": "normal",
            "channel": "phone",
            "category": categories[i % len(categories)],
        }

    def make(i: int):
        return "POST", "/api/v1/incidents", json.dumps(item(i)).encode(), {"Content-Type": "application/json"}

    def make_batch(i: int):
        body = json.dumps({"incidents": [item(i * args.batch + k) for k in range(args.batch)]}).encode()
        return "POST", "/api/v1/incidents/batch", body, {"Content-Type": "application/json"}

    # A few first, so that connections and caches are warm.
    run_requests(client, make, min(20, args.create), 1, args.case_timeout)
    figures = run_requests(client, make, args.create, args.create_concurrency, args.create_timeout, cpu)
    figures.update(case=f"POST /api/v1/incidents x {args.create}", path="/api/v1/incidents")
    if args.batch:
        requests = max(args.create // args.batch, 1)
        batch = run_requests(client, make_batch, requests, args.create_concurrency, args.create_timeout, cpu)
        batch.update(
            case=f"POST /api/v1/incidents/batch x {requests} of {args.batch}",
            path="/api/v1/incidents/batch",
            incidents_per_s=round(batch["per_s"] * args.batch, 1),
        )
        figures["batch"] = batch
    return figures


def _row(base: str, f: dict) -> str:
    mark = "" if f["ok"] and f["p95_ms"] <= TARGET_P95_MS else "  <-- over target"
    if f["ok"] != f["requests"]:
        mark += f"  ({f['requests'] - f['ok']} failed: {f['statuses']})"
    return (
        f"  {base:<18} {f['case']:<28} c={f['concurrency']}  n={f['ok']:<4} p50 {f['p50_ms']:7.1f} ms  "
        f"p95 {f['p95_ms']:7.1f} ms  {f['per_s'] or 0:6.1f}/s  cpu web {f['web_cpu_ms_per_req']:5.1f}"
        + (f" db {f['db_cpu_ms_per_req']:5.1f}" if f["db_cpu_ms_per_req"] is not None else "")
        + f" ms/req{mark}"
    )


def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _django.add_database_arguments(parser)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--workers", type=int, default=1, help="granian worker processes")
    parser.add_argument(
        "--threads", type=int, default=0, help="blocking threads per worker (default: opsdesk's)"
    )
    parser.add_argument("--user", default=_django.BENCH_AGENT, help="the agent the requests act as")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per list case and level")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests before each list case")
    parser.add_argument(
        "--levels", default="1,4", help="client concurrency levels for the list cases (comma-separated)"
    )
    parser.add_argument("--create", type=int, default=2000, help="incidents to create through the API")
    parser.add_argument("--create-concurrency", type=int, default=4)
    parser.add_argument(
        "--batch", type=int, default=50, help="then the same number through /batch, N per request (0: skip)"
    )
    parser.add_argument("--case-timeout", type=float, default=60, help="seconds at most per list case")
    parser.add_argument("--create-timeout", type=float, default=300, help="seconds at most for the creates")
    parser.add_argument(
        "--cases", default="", help="only the list cases whose names start so (comma-separated)"
    )
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: api, html, create")
    parser.add_argument("--out", default=str(_django.OUT_DIR))
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",") if x.strip()]
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    _django.setup(args)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    ctx = prepare(args)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    print(
        f"database: {ctx['database']} ({ctx['database_version'].split(' on ')[0]}), "
        f"~{ctx['incidents_estimate']:,} incidents"
    )

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(_django.database_environment(args))
    env.setdefault("OPSDESK_LOG_LEVEL", "WARNING")
    log_path = out_dir / f"web-{ctx['vendor']}-{stamp}.log"
    server = start_server(args, env, log_path)
    watch = MemoryWatch(server.pid)
    watch.start()
    cpu = CpuMeter(server.pid, ctx["vendor"])
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": ctx["database"],
        "database_version": ctx["database_version"],
        "incidents_estimate": ctx["incidents_estimate"],
        "server": {"workers": args.workers, "threads": args.threads or "default", "port": args.port},
        "agent": ctx["agent"],
        # Other work on the machine skews every figure: the load average before and after the run.
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "targets": {"p95_ms": TARGET_P95_MS, "create_per_s": TARGET_CREATE_PER_S, "rss_mb": TARGET_RSS_MB},
    }
    try:
        watch.sample()
        result["rss_after_start"] = watch.report()
        if "api" not in skip:
            print("GET /api/v1/incidents (first page)", flush=True)
            api = Client(args.port, {"Authorization": f"Bearer {ctx['token']}"})
            result["api_list"] = measure_lists(args, ctx, api, "/api/v1/incidents", "application/json", cpu)
        if "html" not in skip:
            print("GET /incidents/ (first page of the queue)", flush=True)
            cookie = login_session(args.port, ctx["agent"], _django.PASSWORD)
            html = Client(args.port, {"Cookie": cookie})
            result["html_list"] = measure_lists(args, ctx, html, "/incidents/", "text/html", cpu)
        if "create" not in skip:
            print(
                f"POST /api/v1/incidents x {args.create}, concurrency {args.create_concurrency}", flush=True
            )
            api = Client(args.port, {"Authorization": f"Bearer {ctx['token']}"})
            result["create"] = create = measure_create(args, ctx, api, cpu)
            mark = "" if create["per_s"] >= TARGET_CREATE_PER_S else "  <-- under target"
            print(
                f"  created {create['ok']} in {create['wall_s']} s: {create['per_s']}/s "
                f"(p50 {create['p50_ms']} ms, p95 {create['p95_ms']} ms; "
                f"cpu web {create['web_cpu_ms_per_req']} db {create['db_cpu_ms_per_req']} ms/req){mark}",
                flush=True,
            )
            batch = create.get("batch")
            if batch:
                mark = "" if batch["incidents_per_s"] >= TARGET_CREATE_PER_S else "  <-- under target"
                print(
                    f"  {batch['case']}: {batch['ok']} requests in {batch['wall_s']} s: "
                    f"{batch['incidents_per_s']} incidents/s (p50 {batch['p50_ms']} ms, "
                    f"p95 {batch['p95_ms']} ms per request; cpu web {batch['web_cpu_ms_per_req']} "
                    f"db {batch['db_cpu_ms_per_req']} ms/request){mark}",
                    flush=True,
                )
        watch.sample()
    finally:
        watch.stopped.set()
        watch.join()
        stop_server(server)
    result["rss"] = watch.report()
    result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print("resident memory, maximum over the run:")
    for proc in result["rss"]:
        mark = "" if proc["max_rss_mb"] < TARGET_RSS_MB else "  <-- over target"
        print(
            f"  {proc['role']:<6} pid {proc['pid']:<7} {proc['max_rss_mb']:7.1f} MB  "
            f"{proc['cmdline'][:60]}{mark}"
        )
    path = out_dir / f"load-{ctx['vendor']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average before {result['loadavg_start']}, after {result['loadavg_end']}")
    print(f"figures written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
