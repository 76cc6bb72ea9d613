"""nginx + corsgate vs the same nginx with a hand-written `map` + `add_header` CORS config.

    python3 tests/nginx/bench.py [--seconds 5] [--rounds 5] [--skip-wrk] [--skip-callgrind]
    (`make bench-nginx`; results go in docs/BENCHMARKS.md)

Both servers: one worker, keep-alive, `access_log off`, a static in-memory response
(`empty_gif`), the same policy. Measured for an allowed actual request (GET with Origin) and an
allowed preflight (OPTIONS with Origin, ACRM, ACRH):

1. instructions per request under callgrind (deterministic): the worker serves N1 and then N2
   requests over one keep-alive connection; (I(N2) - I(N1)) / (N2 - N1) cancels start-up;
2. worker CPU per request under wrk: the worker's utime + stime from /proc/<pid>/stat over a
   fixed wrk run, divided by the requests wrk completed (worker pinned to CPU 1, wrk to CPU 0;
   the configurations alternate round by round, medians reported), with throughput beside it.

Then it shows, with curl, the requests the hand-written configuration answers wrongly and what
corsgate answers (and fails if a claimed flaw does not reproduce).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path

import harness

POLICY = """\
origins = ["https://app.example.com", "https://admin.example.com"]
methods = ["PUT", "DELETE"]
request_headers = ["content-type", "authorization"]
expose_headers = ["x-request-id"]
credentials = true
max_age = 600
"""

# What operators paste today: the best common form (a `map` whitelist, `always` on the
# outer add_header lines, `return 204` for OPTIONS in an `if`).
HANDWRITTEN = """\
    map $http_origin $cors_origin {
        default "";
        "https://app.example.com" $http_origin;
        "https://admin.example.com" $http_origin;
    }
    server {
        listen 127.0.0.1:PORT;
        location / {
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin $cors_origin;
                add_header Access-Control-Allow-Credentials true;
                add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE";
                add_header Access-Control-Allow-Headers "content-type, authorization";
                add_header Access-Control-Max-Age 600;
                return 204;
            }
            add_header Access-Control-Allow-Origin $cors_origin always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Access-Control-Expose-Headers x-request-id always;
            add_header Vary Origin always;
            empty_gif;
        }
    }
"""

CORSGATE = """\
    server {
        listen 127.0.0.1:PORT;
        location / {
            corsgate_policy cors.toml;
            empty_gif;
        }
    }
"""

APP = "https://app.example.com"
WORKLOADS: dict[str, tuple[str, list[tuple[str, str]], int]] = {
    "actual": ("GET", [("Origin", APP)], 200),
    "preflight": (
        "OPTIONS",
        [("Origin", APP), ("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "content-type")],
        204,
    ),
}
# Headers every request carries, like a browser's (nginx scans them all for $http_origin too).
COMMON = [
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Referer", "https://app.example.com/orders"),
]


def start(kind: str, wrapper: list[str] | None = None, single: bool = False) -> tuple[harness.Nginx, int]:
    ngx = harness.Nginx()
    ngx.write("cors.toml", POLICY)
    port = harness.free_port()
    body = (CORSGATE if kind == "corsgate" else HANDWRITTEN).replace("PORT", str(port))
    main = "worker_cpu_affinity 10;" if not single else ""
    conf = ngx.config("    keepalive_requests 100000000;\n" + body, error_level="notice", extra_main=main)
    if single:  # callgrind: one process, serving in the foreground
        conf = conf.replace("master_process on;", "master_process off;")
    ngx.conf.write_text(conf)
    if single:
        ngx.start_single(wrapper or [], port)
    else:
        ngx.start(wrapper=wrapper)
    return ngx, port


def serve(port: int, method: str, headers: list[tuple[str, str]], n: int, status: int) -> None:
    c = harness.Client(port)
    c.sock.settimeout(120)
    try:
        for _ in range(n):
            r = c.request(method, "/", [*COMMON, *headers])
            if r.status != status:
                raise SystemExit(f"unexpected status {r.status}")
    finally:
        c.close()


def callgrind(kind: str, workload: str, n1: int = 2000, n2: int = 12000) -> float:
    """Instructions per request of `kind` for `workload`."""
    method, headers, status = WORKLOADS[workload]
    totals = []
    for n in (n1, n2):
        out = Path(f"/tmp/corsgate-bench-callgrind-{os.getpid()}.out")
        ngx, port = start(kind, ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"], single=True)
        try:
            serve(port, method, headers, n, status)
        finally:
            ngx.stop(wait=120)
        text = out.read_text()
        out.unlink()
        totals.append(int(re.search(r"^summary:\s+(\d+)", text, re.M).group(1)))  # type: ignore[union-attr]
    return (totals[1] - totals[0]) / (n2 - n1)


def wrk_lua(path: Path, method: str, headers: list[tuple[str, str]]) -> None:
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in [*COMMON, *headers]]
    path.write_text("\n".join(lines) + "\n")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def wrk_run(ngx: harness.Nginx, port: int, script: Path, seconds: int) -> tuple[float, float]:
    """(worker CPU microseconds per request, requests per second) of one wrk run."""
    (worker,) = ngx.worker_pids()
    cmd = ["taskset", "-c", "0", "wrk", "-t1", "-c32", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}/"]
    before = cpu_ticks(worker)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    used = cpu_ticks(worker) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    return used / os.sysconf("SC_CLK_TCK") * 1e6 / requests, rps


def wrk_bench(seconds: int, rounds: int) -> dict[tuple[str, str], tuple[float, float]]:
    servers = {kind: start(kind) for kind in ("corsgate", "add_header")}
    try:
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for workload, (method, headers, _) in WORKLOADS.items():
            for ngx, port in servers.values():
                script = ngx.prefix / f"{workload}.lua"
                wrk_lua(script, method, headers)
                wrk_run(ngx, port, script, 1)  # warm-up
            for _ in range(rounds):
                for kind, (ngx, port) in servers.items():
                    results.setdefault((kind, workload), []).append(
                        wrk_run(ngx, port, ngx.prefix / f"{workload}.lua", seconds)
                    )
        return {k: (statistics.median(c for c, _ in v), statistics.median(r for _, r in v)) for k, v in results.items()}
    finally:
        for ngx, _ in servers.values():
            ngx.stop()


def curl(port: int, args: list[str]) -> str:
    cmd = ["curl", "-s", "-o", "/dev/null", "-D", "-", *args, f"http://127.0.0.1:{port}/"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    keep = [
        ln
        for ln in out.replace("\r", "").splitlines()
        if ln.startswith("HTTP/") or ln.lower().startswith(("access-control-", "vary"))
    ]
    return "\n".join(keep)


DEMOS: list[tuple[str, list[str], Callable[[str], bool]]] = [
    (
        "allowed preflight: the `if` block's add_header lines replace the outer ones, so no `Vary`",
        ["-X", "OPTIONS", "-H", f"Origin: {APP}", "-H", "Access-Control-Request-Method: PUT"],
        lambda hw: "vary" not in hw.lower(),
    ),
    (
        "denied origin: the constant credentials header is sent anyway",
        ["-H", "Origin: https://evil.example.net"],
        lambda hw: "access-control-allow-credentials: true" in hw.lower(),
    ),
    (
        "denied origin's preflight: answered 204 (with the credentials header) like an allowed one",
        ["-X", "OPTIONS", "-H", "Origin: https://evil.example.net", "-H", "Access-Control-Request-Method: PUT"],
        lambda hw: "204" in hw.splitlines()[0],
    ),
    (
        "any OPTIONS (no Access-Control-Request-Method: not a preflight) is answered 204, the app never sees it",
        ["-X", "OPTIONS", "-H", f"Origin: {APP}"],
        lambda hw: "204" in hw.splitlines()[0],
    ),
    (
        "origins matched case-insensitively by `map`: an origin no browser sends is echoed back",
        ["-H", "Origin: HTTPS://APP.EXAMPLE.COM"],
        lambda hw: "access-control-allow-origin: https://app.example.com" in hw.lower(),
    ),
]


def demo() -> str:
    servers = {kind: start(kind) for kind in ("add_header", "corsgate")}
    out = []
    try:
        for title, args, flawed in DEMOS:
            answers = {kind: curl(port, args) for kind, (_, port) in servers.items()}
            if not flawed(answers["add_header"]):
                raise SystemExit(f"the hand-written config did not show the flaw: {title}\n{answers['add_header']}")
            out.append(f"# {title}\n$ curl -si {shlex.join(args)} http://127.0.0.1/")
            for kind, text in answers.items():
                out.append(f"## {kind}\n{text}")
            out.append("")
    finally:
        for ngx, _ in servers.values():
            ngx.stop()
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    ap.add_argument("--rounds", type=int, default=5, help="wrk runs per configuration and workload")
    ap.add_argument("--skip-wrk", action="store_true")
    ap.add_argument("--skip-callgrind", action="store_true")
    args = ap.parse_args()
    for tool in ("wrk", "curl", "taskset", "valgrind"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing (make nginx-deps)")
    print(
        f"nginx {subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()}, "
        f"module {harness.MODULE}, {os.cpu_count()} CPUs",
        flush=True,
    )

    if not args.skip_callgrind:
        print("\ninstructions per request (callgrind, worker only; lower is better)")
        print(f"{'workload':<10} {'add_header':>12} {'corsgate':>12} {'difference':>11}")
        for workload in WORKLOADS:
            hw = callgrind("add_header", workload)
            cg = callgrind("corsgate", workload)
            print(f"{workload:<10} {hw:>12.0f} {cg:>12.0f} {100 * (cg - hw) / hw:>+10.1f}%", flush=True)

    if not args.skip_wrk:
        print(f"\nworker CPU per request under wrk (-t1 -c32, {args.rounds} x {args.seconds} s, medians)")
        res = wrk_bench(args.seconds, args.rounds)
        print(f"{'workload':<10} {'add_header':>16} {'corsgate':>16} {'difference':>11}")
        for workload in WORKLOADS:
            (hc, hr), (cc, cr) = res[("add_header", workload)], res[("corsgate", workload)]
            print(
                f"{workload:<10} {hc:>6.2f} us {hr / 1000:>4.0f}k/s {cc:>6.2f} us {cr / 1000:>4.0f}k/s "
                f"{100 * (cc - hc) / hc:>+10.1f}%",
                flush=True,
            )

    print("\nwhere the hand-written configuration answers wrongly (only status, CORS and Vary lines shown)\n")
    print(demo())


if __name__ == "__main__":
    main()
