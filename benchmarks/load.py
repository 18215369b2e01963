"""Load on the web server (``symderiv serve``), on loopback only, bounded in requests and time.

    python benchmarks/load.py [--clients 20] [--requests 500] [--workers 4] [--out docs/benchmarks.md]

Starts ``symderiv serve`` on a free 127.0.0.1 port as a separate process (as a
user would run it), then:

1. **mixed load**: ``--clients`` concurrent clients send ``--requests`` requests in all, a
   fixed shuffled mix of readings (``/api/validate``), formulas (``/api/verify``, right and
   wrong), small documents (``/api/check``) and health checks. Every answer is checked
   against the verdict the mix expects: an error, a lost request or a wrong verdict counts.
   Reported: errors, latency p50/p95/max per kind, throughput.
2. **hostile requests**: quick formulas sent one after another, first alone, then while
   hostile requests arrive (a 5 MB body, deeply nested braces, a 20,000-character formula, a
   document of 500 displays): each hostile one must get its problem answer (413, 422, 504)
   and the quick ones' latency is compared.

The results replace the section after ``MARKER`` in docs/benchmarks.md (bench.py keeps it).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time

import httpx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "<!-- benchmarks/load.py writes below this line -->"
RIGHT = r"\delta^{(L)} = a^{(L)} - y"
HALF = r"\delta^{(L)} = \frac{1}{2}(a^{(L)} - y)"
GRADIENT = r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T"
NO_TRANSPOSE = r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} a^{(l-1)}"
DOCUMENT = "$$\n" + RIGHT + "\n$$\n\n$$\n" + NO_TRANSPOSE + "\n$$\n\n$$\n" + \
    r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})" + "\n$$\n"
REQUEST_SECONDS = 120        # no single request waits longer than this
TOTAL_SECONDS = 1200         # the whole run stops by itself

# (kind, path, body, what a right answer is): one row per request type of the mix, with its weight
MIX = [
    ("validate", "/api/validate", {"formula": HALF}, lambda r: r.status_code == 200 and "symbols" in r.json(), 4),
    ("verify right", "/api/verify", {"formula": GRADIENT},
     lambda r: r.status_code == 200 and r.json()["verdict"] == "correct", 2),
    ("verify wrong", "/api/verify", {"formula": HALF, "model": {"hidden": "tanh"}},
     lambda r: r.status_code == 200 and r.json()["verdict"] == "incorrect", 2),
    ("check document", "/api/check", {"document": DOCUMENT},
     lambda r: r.status_code == 200 and [e["verdict"] for e in r.json()["entries"]] ==
     ["correct", "incorrect", "correct"], 1),
    ("bad input", "/api/verify", {"formula": RIGHT, "model": {"hidden": "swish"}},
     lambda r: r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), 1),
    ("health", "/api/health", None, lambda r: r.status_code == 200, 1),
]
HOSTILE = [
    ("5 MB body", "/api/check", b'{"document": "' + b"x" * 5_000_000 + b'"}', (413,)),
    ("braces nested 5,000 deep", "/api/verify",
     json.dumps({"formula": "J = " + "{" * 5000 + "x" + "}" * 5000}).encode(), (200, 422)),
    ("a formula of 19,990 characters", "/api/verify",
     json.dumps({"formula": ("J = " + " + ".join(["a^{(1)}"] * 2000))[:19990]}).encode(), (200, 422, 504)),
    ("fractions nested 300 deep", "/api/validate",
     json.dumps({"formula": "J = " + r"\frac{1}{" * 300 + "x" + "}" * 300}).encode(), (200, 422)),
    ("a document of 500 displays", "/api/check",
     json.dumps({"document": "".join(f"$$\n\\delta^{{(L)}} = {k} (a^{{(L)}} - y)\n$$\n" for k in range(2, 502))}
                ).encode(), (200, 504)),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    process = subprocess.Popen([sys.executable, "-m", "symderiv", "serve", "--port", str(port),
                                "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start: " + process.stderr.read().decode()[-500:])


def percentile(values: list, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


async def mixed(url: str, clients: int, count: int, seed: int = 0) -> dict:
    """``count`` requests of the mix over ``clients`` concurrent connections."""
    rng = random.Random(seed)
    plan = [row for row in MIX for _ in range(row[4])]
    queue = asyncio.Queue()
    for _ in range(count):
        queue.put_nowait(rng.choice(plan))
    results = []

    async def client():
        async with httpx.AsyncClient(base_url=url, timeout=REQUEST_SECONDS) as http:
            while not queue.empty():
                kind, path, body, right, _ = queue.get_nowait()
                started = time.perf_counter()
                try:
                    r = await (http.get(path) if body is None else http.post(path, json=body))
                    ok, why = right(r), f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                results.append((kind, time.perf_counter() - started, ok, why))

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*[client() for _ in range(clients)]), TOTAL_SECONDS)
    return {"results": results, "seconds": time.perf_counter() - started}


async def hostile(url: str, quick: int = 40) -> dict:
    """Quick formulas one after another, alone and then with every hostile request in flight."""
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_SECONDS) as http:
        async def quick_run():
            times = []
            for _ in range(quick):
                started = time.perf_counter()
                r = await http.post("/api/verify", json={"formula": HALF})
                assert r.status_code == 200 and r.json()["verdict"] == "incorrect"
                times.append(time.perf_counter() - started)
            return times

        alone = await quick_run()

        async def attack(name, path, body, allowed):
            started = time.perf_counter()
            r = await http.post(path, content=body, headers={"content-type": "application/json"})
            data = r.json()
            detail = data.get("detail") or data.get("verdict") or \
                (f"{len(data['entries'])} lines checked" if "entries" in data else "")
            return name, r.status_code, r.status_code in allowed, time.perf_counter() - started, detail

        attacks = [asyncio.ensure_future(attack(*row)) for row in HOSTILE]
        await asyncio.sleep(0.2)
        during = await quick_run()
        answers = await asyncio.gather(*attacks)
    return {"alone": alone, "during": during, "answers": answers}


def report(mix: dict, bad: dict, clients: int, workers: int, requested: int) -> list[str]:
    results = mix["results"]
    errors = [r for r in results if not r[2]]
    lost = requested - len(results)
    lines = [MARKER, "", "## Web server load (`benchmarks/load.py`)", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} logical CPUs, {platform.python_version()}: "
             f"`symderiv serve --workers {workers}` on 127.0.0.1, {clients} concurrent clients, "
             f"{len(results)} requests (a fixed shuffled mix), every answer checked against the verdict it must "
             "carry. The mix repeats six request bodies, so a worker's caches make a repeat cheaper than a first "
             "check. Latency in milliseconds, wall clock (the machine is shared: other processes slow it).", "",
             f"**{len(results)} requests in {mix['seconds']:.1f} s: {len(results) / mix['seconds']:.1f} requests/s; "
             f"{len(errors)} errors, {lost} lost.** The slowest requests are the first ones, answered while the "
             "workers warm up (each runs one small job of each kind after it starts).", "",
             "| request | count | p50 ms | p95 ms | max ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for kind, *_ in MIX:
        times = [r[1] * 1000 for r in results if r[0] == kind]
        if times:
            lines.append(f"| {kind} | {len(times)} | {percentile(times, .5):.0f} | {percentile(times, .95):.0f} | "
                         f"{max(times):.0f} | {sum(1 for r in results if r[0] == kind and not r[2])} |")
    every = [r[1] * 1000 for r in results]
    lines.append(f"| **all** | {len(every)} | {percentile(every, .5):.0f} | {percentile(every, .95):.0f} | "
                 f"{max(every):.0f} | {len(errors)} |")
    alone, during = [t * 1000 for t in bad["alone"]], [t * 1000 for t in bad["during"]]
    lines += ["", "### Hostile requests", "",
              f"{len(alone)} quick formulas (`verify`, one at a time) alone: p50 {statistics.median(alone):.0f} ms, "
              f"p95 {percentile(alone, .95):.0f} ms; while the hostile requests below were in flight: "
              f"p50 {statistics.median(during):.0f} ms, p95 {percentile(during, .95):.0f} ms.", "",
              "| hostile request | answer | as expected | ms | detail |", "|---|---:|---|---:|---|"]
    for name, status, ok, seconds, detail in bad["answers"]:
        lines.append(f"| {name} | {status} | {'yes' if ok else 'NO'} | {seconds * 1000:.0f} | "
                     f"{str(detail)[:90].replace('|', '/')} |")
    if errors:
        lines += ["", "Errors: " + "; ".join(sorted({f'{k}: {why}' for k, _, _, why in errors}))]
    return lines + [""]


def write(path: str, lines: list[str]) -> None:
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    head = text.split(MARKER)[0].rstrip("\n")
    with open(path, "w") as f:
        f.write(head + "\n\n" + "\n".join(lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    args = parser.parse_args(argv)
    process, url = start_server(args.workers)
    try:
        mix = asyncio.run(mixed(url, args.clients, args.requests))
        bad = asyncio.run(hostile(url))
    finally:
        process.terminate()
        process.wait(20)
    lines = report(mix, bad, args.clients, args.workers, args.requests)
    print("\n".join(lines))
    if args.out:
        write(args.out, lines)
    failed = [r for r in mix["results"] if not r[2]] + [a for a in bad["answers"] if not a[2]]
    return 1 if failed or len(mix["results"]) != args.requests else 0


if __name__ == "__main__":
    sys.exit(main())
