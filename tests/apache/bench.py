"""httpd + mod_corsgate vs the same httpd with a hand-written mod_headers CORS configuration.

    python3 tests/apache/bench.py [--seconds 5] [--rounds 5] [--skip-wrk] [--skip-callgrind]
    (`make bench-apache`; results go in docs/BENCHMARKS.md)

Both servers: event MPM, one child process, keep-alive without a request limit, no access log,
a small static file, the same policy. Measured for an allowed actual request (GET with Origin)
and an allowed preflight (OPTIONS with Origin, ACRM, ACRH):

1. instructions per request under callgrind (deterministic): httpd -X (one process) serves N1
   and then N2 requests over one keep-alive connection; (I(N2) - I(N1)) / (N2 - N1) cancels
   start-up;
2. child CPU per request under wrk: the child's utime + stime from /proc/<pid>/stat over a
   fixed wrk run, divided by the requests wrk completed (httpd pinned to CPU 1, wrk to CPU 0;
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

import httpd

harness = httpd.harness

POLICY = """\
origins = ["https://app.example.com", "https://admin.example.com"]
methods = ["PUT", "DELETE"]
request_headers = ["content-type", "authorization"]
expose_headers = ["x-request-id"]
credentials = true
max_age = 600
"""

# What operators paste today, in its working form: a SetEnvIf whitelist whose value is echoed,
# `Header always` (so that the 204 of the RewriteRule and error responses get the headers),
# Vary merged, and a RewriteRule that answers OPTIONS with 204.
HANDWRITTEN = r"""
SetEnvIf Origin "https://(app|admin).example.com$" CORS_ORIGIN=$0
Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
Header always set Access-Control-Allow-Credentials "true"
Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE"
Header always set Access-Control-Allow-Headers "content-type, authorization"
Header always set Access-Control-Expose-Headers "x-request-id"
Header always set Access-Control-Max-Age "600"
Header always merge Vary Origin
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^ - [R=204,L]
"""
HANDWRITTEN_MODULES = ("headers", "setenvif", "rewrite")

CORSGATE = """
CorsgatePolicy cors.toml
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
# Headers every request carries, like a browser's.
COMMON = [
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Referer", "https://app.example.com/orders"),
]


def start(
    kind: str, wrapper: list[str] | None = None, single: bool = False, upstream: int | None = None
) -> tuple[httpd.Httpd, int]:
    h = httpd.Httpd()
    h.write("cors.toml", POLICY)
    h.write("htdocs/index.html", "x\n")
    port = harness.free_port()
    body = "KeepAlive On\nMaxKeepAliveRequests 0\nKeepAliveTimeout 60\nDirectoryIndex index.html\n"
    body += CORSGATE if kind == "corsgate" else HANDWRITTEN
    modules: tuple[str, ...] = HANDWRITTEN_MODULES if kind == "mod_headers" else ()
    if upstream is not None:  # the demo's backend that sends its own CORS headers
        body += f"ProxyPass /backend/ http://127.0.0.1:{upstream}/backend/\n"
        modules += ("proxy", "proxy_http")
    conf = h.config(body, port, modules=modules, log_level="warn")
    h.conf.write_text(
        conf.replace("ThreadsPerChild 8\nMaxRequestWorkers 8", "ThreadsPerChild 32\nMaxRequestWorkers 32")
    )
    if single:  # callgrind: one process, serving in the foreground
        h.start(port, wrapper=wrapper, args=("-X",), wait=120)
    else:
        h.start(port, wrapper=["taskset", "-c", "1"])
    return h, port


def serve(port: int, method: str, headers: list[tuple[str, str]], n: int, status: int) -> None:
    c = harness.Client(port)
    c.sock.settimeout(120)
    try:
        for _ in range(n):
            r = c.request(method, "/index.html", [*COMMON, *headers])
            if r.status != status:
                raise SystemExit(f"unexpected status {r.status}")
    finally:
        c.close()


def callgrind(kind: str, workload: str, n1: int = 2000, n2: int = 12000) -> float:
    """Instructions per request of `kind` for `workload`."""
    method, headers, status = WORKLOADS[workload]
    totals = []
    for n in (n1, n2):
        out = Path(f"/tmp/corsgate-httpd-callgrind-{os.getpid()}.out")
        # httpd -X switches to its User before callgrind writes the file at exit.
        out.write_text("")
        out.chmod(0o666)
        h, port = start(kind, ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"], single=True)
        try:
            serve(port, method, headers, n, status)
        finally:
            h.stop(wait=120)
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


def wrk_run(h: httpd.Httpd, port: int, script: Path, seconds: int) -> tuple[float, float]:
    """(child CPU microseconds per request, requests per second) of one wrk run."""
    (child,) = h.children()
    cmd = [
        "taskset",
        "-c",
        "0",
        "wrk",
        "-t1",
        "-c32",
        f"-d{seconds}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/index.html",
    ]
    before = cpu_ticks(child)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    used = cpu_ticks(child) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    return used / os.sysconf("SC_CLK_TCK") * 1e6 / requests, rps


def wrk_bench(seconds: int, rounds: int) -> dict[tuple[str, str], tuple[float, float]]:
    servers = {kind: start(kind) for kind in ("corsgate", "mod_headers")}
    try:
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for workload, (method, headers, _) in WORKLOADS.items():
            for h, port in servers.values():
                script = h.root / f"{workload}.lua"
                wrk_lua(script, method, headers)
                wrk_run(h, port, script, 1)  # warm-up
            for _ in range(rounds):
                for kind, (h, port) in servers.items():
                    results.setdefault((kind, workload), []).append(
                        wrk_run(h, port, h.root / f"{workload}.lua", seconds)
                    )
        return {k: (statistics.median(c for c, _ in v), statistics.median(r for _, r in v)) for k, v in results.items()}
    finally:
        for h, _ in servers.values():
            h.stop()


def curl(port: int, path: str, args: list[str]) -> str:
    cmd = ["curl", "-s", "-o", "/dev/null", "-D", "-", *args, f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    keep = [
        ln
        for ln in out.replace("\r", "").splitlines()
        if ln.startswith("HTTP/") or ln.lower().startswith(("access-control-", "vary"))
    ]
    return "\n".join(keep)


EVIL = "https://evil.example.net"
DEMOS: list[tuple[str, str, list[str], Callable[[str], bool]]] = [
    (
        "a look-alike origin: the regex's dots are unescaped, `https://app-example.com` is echoed (a false allow)",
        "/index.html",
        ["-H", "Origin: https://app-example.com"],
        lambda hw: "access-control-allow-origin: https://app-example.com" in hw.lower(),
    ),
    (
        "denied origin: the constant credentials, methods and headers lines are sent anyway",
        "/index.html",
        ["-H", f"Origin: {EVIL}"],
        lambda hw: "access-control-allow-credentials: true" in hw.lower(),
    ),
    (
        "denied origin's preflight: answered 204 like an allowed one",
        "/index.html",
        ["-X", "OPTIONS", "-H", f"Origin: {EVIL}", "-H", "Access-Control-Request-Method: PUT"],
        lambda hw: "204" in hw.splitlines()[0],
    ),
    (
        "any OPTIONS (no Access-Control-Request-Method: not a preflight) is answered 204, the app never sees it",
        "/index.html",
        ["-X", "OPTIONS", "-H", f"Origin: {APP}"],
        lambda hw: "204" in hw.splitlines()[0],
    ),
    (
        "a preflight's Vary lacks Access-Control-Request-Method and -Headers, which the answer depends on",
        "/index.html",
        ["-X", "OPTIONS", "-H", f"Origin: {APP}", "-H", "Access-Control-Request-Method: PUT"],
        lambda hw: "access-control-request-method" not in hw.lower().split("vary:", 1)[-1],
    ),
    (
        "a proxied backend that sends its own `Access-Control-Allow-Origin: *`: `Header always set` writes "
        "another table, both values go out (browsers reject two)",
        "/backend/acao/x",
        ["-H", f"Origin: {APP}"],
        lambda hw: hw.lower().count("access-control-allow-origin:") == 2,
    ),
]


def demo() -> str:
    up = harness.Upstream().start()
    servers = {kind: start(kind, upstream=up.port) for kind in ("mod_headers", "corsgate")}
    out = []
    try:
        for title, path, args, flawed in DEMOS:
            answers = {kind: curl(port, path, args) for kind, (_, port) in servers.items()}
            if not flawed(answers["mod_headers"]):
                raise SystemExit(f"the hand-written config did not show the flaw: {title}\n{answers['mod_headers']}")
            if flawed(answers["corsgate"]):
                raise SystemExit(f"corsgate shows the flaw: {title}\n{answers['corsgate']}")
            out.append(f"# {title}\n$ curl -si {shlex.join(args)} http://127.0.0.1{path}")
            for kind, text in answers.items():
                out.append(f"## {kind}\n{text}")
            out.append("")
    finally:
        for h, _ in servers.values():
            h.stop()
        up.stop()
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
            raise SystemExit(f"{tool} is missing (make apache-deps)")
    version = subprocess.run([httpd.HTTPD, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"{version}, module {httpd.MODULE}, {os.cpu_count()} CPUs", flush=True)

    if not args.skip_callgrind:
        print("\ninstructions per request (callgrind, httpd -X; lower is better)")
        print(f"{'workload':<10} {'mod_headers':>12} {'corsgate':>12} {'difference':>11}")
        for workload in WORKLOADS:
            hw = callgrind("mod_headers", workload)
            cg = callgrind("corsgate", workload)
            print(f"{workload:<10} {hw:>12.0f} {cg:>12.0f} {100 * (cg - hw) / hw:>+10.1f}%", flush=True)

    if not args.skip_wrk:
        print(f"\nchild CPU per request under wrk (-t1 -c32, {args.rounds} x {args.seconds} s, medians)")
        res = wrk_bench(args.seconds, args.rounds)
        print(f"{'workload':<10} {'mod_headers':>16} {'corsgate':>16} {'difference':>11}")
        for workload in WORKLOADS:
            (hc, hr), (cc, cr) = res[("mod_headers", workload)], res[("corsgate", workload)]
            print(
                f"{workload:<10} {hc:>6.2f} us {hr / 1000:>4.0f}k/s {cc:>6.2f} us {cr / 1000:>4.0f}k/s "
                f"{100 * (cc - hc) / hc:>+10.1f}%",
                flush=True,
            )

    print("\nwhere the hand-written configuration answers wrongly (only status, CORS and Vary lines shown)\n")
    print(demo())


if __name__ == "__main__":
    main()
