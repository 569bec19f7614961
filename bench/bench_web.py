"""Load test of the web dashboard: 50 concurrent users on the overview, city list and profile.

Starts ``rbcity serve`` on 127.0.0.1 (a free port, loopback only) over a temporary store with
the registry and the web tests' seed rows, then runs two bounded phases with the same client:

1. baseline — the same users hitting the trivial ``/api/health`` endpoint;
2. pages — each user loops overview → city list (a filter) → a city profile, not signed in
   (pages then come from the per-data-version page cache after the first render);
3. pages, signed in — the same loop with every user signed in (rendered on every request);
4. with ``--with-import``: pages again (anonymous and signed-in users, half each) while an
   import runs all the time — a 200 000-row CSV validated over and over through
   ``POST /api/imports`` (a job in the server's worker process) — the issue-12 case:
   ``--users 200 --with-import``.

Each user waits 0.5–1.5 s between requests (think time, as in locust's ``between``); every
phase is bounded in time (``--seconds``) and in requests (``--max-requests``). Prints request
counts, errors, p50/p95/p99 latency per page and the p95 ratio pages/baseline. Exit status 1
when a page's p95 is ≥ 200 ms or any request failed.

    PYTHONPATH=src python bench/bench_web.py [--users 50] [--seconds 20] [--copy-of FILE.sqlite]
    PYTHONPATH=src python bench/bench_web.py --users 200 --with-import

``--copy-of`` runs on a copy of a real SQLite store (e.g. after ``rbcity run``: bundled data
and every engine's results) instead of the small seeded one; the copy gets the bench account.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "outputs" / "web"))
sys.path.insert(0, str(ROOT / "tests"))  # web_seed imports store_urls

PASSWORD = "bench-password-1"
PROFILES = ["230400", "220181", "210900", "230600", "鹤岗", "大庆"]
FILTERS = [{"type": "declining"}, {"province": "黑龙江"}, {"search": "矿区"}, {"exhausted": "yes"}, {}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_store(path: Path, copy_of: str | None = None) -> str:
    import shutil

    from web_seed import seed

    from rbcity.data.store import open_store
    from rbcity.outputs.web.auth import add_user

    url = f"sqlite:///{path}"
    if copy_of:
        shutil.copyfile(copy_of, path)
        engine = open_store(url)
    else:
        engine = open_store(url)
        seed(engine)
    add_user(engine, "bench", PASSWORD)
    engine.dispose()
    return url


def start_server(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "rbcity", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--db", url], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


THINK = (0.5, 1.5)


async def user(client: httpx.AsyncClient, paths, stop_at: float, budget: list[int],
               lat: dict[str, list[float]], errors: list[str], rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, 1.0))  # users arrive spread over the first second
    i = 0
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        name, path, params = paths(i, rng)
        t0 = time.perf_counter()
        try:
            r = await client.get(path, params=params)
            ok = r.status_code == 200 and len(r.content) > 0
            if not ok:
                errors.append(f"{name} {path} → {r.status_code}")
        except httpx.HTTPError as exc:
            errors.append(f"{name} {path} → {type(exc).__name__}")
        lat.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
        i += 1
        await asyncio.sleep(rng.uniform(*THINK))


def page_paths(i: int, rng: random.Random):
    k = i % 3
    if k == 0:
        return "overview", "/", {}
    if k == 1:
        return "list", "/cities", rng.choice(FILTERS)
    return "profile", f"/cities/{rng.choice(PROFILES)}", {}


def health_paths(i: int, rng: random.Random):
    return "static", "/api/health", {}


async def sign_in(client: httpx.AsyncClient) -> None:
    import re

    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    r = await client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf": token})
    if r.status_code not in (200, 303):
        raise SystemExit(f"sign-in failed: {r.status_code}")


async def phase(base: str, users: int, seconds: float, max_requests: int, paths, seed: int,
                signed_in: bool = False):
    lat: dict[str, list[float]] = {}
    errors: list[str] = []
    budget = [max_requests]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    stop_at = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as shared:
        # one client (own cookie jar) per user, all on the shared pool's limits
        clients = [httpx.AsyncClient(base_url=base, timeout=10, transport=shared._transport) for _ in range(users)]
        if signed_in:  # argon2 checks, one at a time, before the clock starts
            for c in clients:
                await sign_in(c)
        stop_at = time.monotonic() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(user(c, paths, stop_at, budget, lat, errors, random.Random(seed + j))
                               for j, c in enumerate(clients)))
        wall = time.perf_counter() - t0
    return lat, errors, wall


def big_import_csv(url: str, n: int = 200_000) -> bytes:
    """``n`` distinct (unit, year, indicator) rows of the long export's columns, value 1 (in every
    indicator's range) — what the import phase validates again and again."""
    from itertools import islice

    from rbcity.data.catalogue import load_catalogue
    from rbcity.data.cities import cities_frame
    from rbcity.data.store import open_store

    cat = load_catalogue()
    inds = cat[(cat.min_value.fillna(0) <= 1) & (cat.max_value.fillna(1e9) >= 1)]
    units = cities_frame(open_store(url))["unit_id"].tolist()
    keys = ((u, y, i.indicator_id, i.unit) for i in inds.itertuples() for y in range(1950, 2020) for u in units)
    rows = ["unit_id,year,indicator_id,value,unit"] + [f"{u},{y},{i},1,{un}" for u, y, i, un in islice(keys, n)]
    return ("\n".join(rows) + "\n").encode()


async def keep_importing(base: str, body: bytes, stop_at: float, done: list[dict]) -> None:
    """Queue a dry-run import, wait for it, queue the next, until ``stop_at``."""
    import base64

    auth = {"Authorization": "Basic " + base64.b64encode(f"bench:{PASSWORD}".encode()).decode()}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=auth) as c:
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            r = await c.post("/api/imports", files={"file": ("bench.csv", body, "text/csv")},
                             data={"source": "bench", "dry_run": "true"})
            if r.status_code != 202:
                done.append({"status": r.status_code, "error": r.text[:200]})
                return
            href = r.json()["href"]
            while True:
                await asyncio.sleep(0.5)
                job = (await c.get(href)).json()
                if job["status"] in ("done", "failed"):
                    done.append({"status": job["status"], "seconds": time.perf_counter() - t0,
                                 "rows": (job.get("result") or {}).get("n_rows"), "error": job.get("error")})
                    break


async def phase_with_import(base: str, users: int, seconds: float, max_requests: int, body: bytes):
    """Phase 4: half the users signed in, half not, with an import always running."""
    done: list[dict] = []
    stop_at = time.monotonic() + seconds + 2
    importer = asyncio.create_task(keep_importing(base, body, stop_at, done))
    await asyncio.sleep(2.0)  # the first job is running before the clock starts
    half = users // 2
    (la, ea, wa), (lb, eb, wb) = await asyncio.gather(
        phase(base, users - half, seconds, max_requests // 2, page_paths, 4),
        phase(base, half, seconds, max_requests // 2, page_paths, 5, signed_in=True))
    await importer
    lat = {k: la.get(k, []) + lb.get(k, []) for k in set(la) | set(lb)}
    return lat, ea + eb, max(wa, wb), done


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def report(title: str, lat: dict[str, list[float]], errors: list[str], wall: float) -> None:
    n = sum(len(v) for v in lat.values())
    print(f"{title}: {n} requests in {wall:.1f} s ({n / wall:.1f} req/s), errors {len(errors)}")
    for name, xs in lat.items():
        print(f"  {name:9s} n={len(xs):5d}  p50={statistics.median(xs):6.1f} ms  "
              f"p95={pct(xs, 95):6.1f} ms  p99={pct(xs, 99):6.1f} ms  max={max(xs):6.1f} ms")
    for e in errors[:5]:
        print("  error:", e)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    ap.add_argument("--max-requests", type=int, default=5000, help="cap per phase")
    ap.add_argument("--copy-of", help="a SQLite store file to copy and use instead of the seeded one")
    ap.add_argument("--think", type=float, nargs=2, default=THINK, metavar=("MIN", "MAX"),
                    help="think time between a user's requests, seconds (0 0: as fast as possible)")
    ap.add_argument("--with-import", action="store_true",
                    help="add phase 4: pages while a 200 000-row import runs (issue 12)")
    a = ap.parse_args()
    globals()["THINK"] = tuple(a.think)
    tmp = Path(tempfile.mkdtemp(prefix="rbcity-bench-"))
    url = make_store(tmp / "bench.sqlite", a.copy_of)
    port = free_port()
    proc = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for p in ("/", "/cities", "/cities/230400"):  # warm the caches once, as any first visitor does
            httpx.get(base + p, timeout=30).raise_for_status()
        print(f"store: {'copy of ' + a.copy_of if a.copy_of else 'seeded test store'}")
        print(f"rbcity web load test: {a.users} users, think time {a.think[0]:g}–{a.think[1]:g} s, {a.seconds:.0f} s per phase, "
              f"loopback {base}, {os.cpu_count()} cores")
        lat0, err0, wall0 = asyncio.run(phase(base, a.users, a.seconds, a.max_requests, health_paths, 1))
        report("baseline /api/health", lat0, err0, wall0)
        lat1, err1, wall1 = asyncio.run(phase(base, a.users, a.seconds, a.max_requests, page_paths, 2))
        report("pages", lat1, err1, wall1)
        lat2, err2, wall2 = asyncio.run(phase(base, a.users, a.seconds, a.max_requests, page_paths, 3,
                                              signed_in=True))
        report("pages, signed in", lat2, err2, wall2)
        lat3, err3, imports = {}, [], []
        if a.with_import:
            body = big_import_csv(url)
            lat3, err3, wall3, imports = asyncio.run(phase_with_import(base, a.users, a.seconds, a.max_requests, body))
            report("pages with an import running", lat3, err3, wall3)
            for j in imports:
                print(f"  import job: {j}")
            if not imports or any(j["status"] != "done" for j in imports):
                err3.append("import did not run to the end")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    base95 = pct(lat0["static"], 95)
    worst = max(pct(v, 95) for lat in (lat1, lat2, lat3) for v in lat.values())
    for title, lat in (("pages", lat1), ("pages, signed in", lat2), ("with import", lat3)):
        if not lat:
            continue
        print(f"p95 ratio {title}/baseline: " + ", ".join(f"{k} {pct(v, 95) / base95:.1f}x" for k, v in lat.items()))
    ok = worst < 200 and not err0 and not err1 and not err2 and not err3
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    print(f"RESULT: worst page p95 {worst:.1f} ms (limit 200 ms), errors {len(err0) + len(err1) + len(err2) + len(err3)} → "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
