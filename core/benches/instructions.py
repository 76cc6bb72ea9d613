#!/usr/bin/env python3
"""Instructions per request of every benchmark in core/benches/evaluate.rs (or, with
`--actix`, of actix/benches/vs_actix_cors.rs), under callgrind.

Deterministic where criterion's times are not (the machine is shared), so it is the check
for the ratios: each benchmark runs N times inside `counted()`, and callgrind counts only
the instructions executed there (`--toggle-collect`), so setup is excluded. For the http
benchmarks, building the request is included; their "no CORS layer" row measures it. The
actix cases count the service call and the drop of its response, not building the request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ITERATIONS = 10_000


def bench_binary(cargo_args: list[str], bench: str) -> str:
    """Builds the bench (release profile) and returns its executable."""
    out = subprocess.run(
        ["cargo", "bench", *cargo_args, "--bench", bench, "--no-run", "--message-format=json"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        artifact = msg.get("reason") == "compiler-artifact" and msg.get("executable")
        if artifact and msg["target"]["name"] == bench:
            return str(msg["executable"])
    raise SystemExit(f"cargo did not report the {bench} bench executable")


def instructions(binary: str, name: str, tmp: Path) -> float:
    """Instructions per iteration of one benchmark."""
    out_file = tmp / "callgrind.out"
    env = dict(
        os.environ,
        CORSGATE_BENCH_COUNT=name,
        CORSGATE_BENCH_ITERATIONS=str(ITERATIONS),
    )
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--toggle-collect=*counted*",
            f"--callgrind-out-file={out_file}",
            binary,
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for line in out_file.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1]) / ITERATIONS
    raise SystemExit(f"no totals in the callgrind output for {name}")


def actix_summary(counts: dict[str, float]) -> None:
    """corsgate-actix against actix-cors above the no-CORS floor."""
    for what in ("preflight", "actual"):
        floor, ours, theirs = (
            counts[f"{what}/{s}"] for s in ("floor", "corsgate-actix", "actix-cors")
        )
        print(
            f"{what}: actix-cors / corsgate-actix = {theirs / ours:.2f}x in total, "
            f"{(theirs - floor) / (ours - floor):.2f}x above the no-CORS floor "
            f"({theirs - floor:,.0f} / {ours - floor:,.0f})"
        )


def main() -> int:
    actix = "--actix" in sys.argv[1:]
    if actix:
        binary = bench_binary(["-p", "corsgate-actix"], "vs_actix_cors")
    else:
        binary = bench_binary(["-p", "corsgate", "--features", "tower"], "evaluate")
    names = subprocess.run(
        [binary],
        check=True,
        env=dict(os.environ, CORSGATE_BENCH_COUNT="list"),
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.splitlines()
    counts: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            counts[name] = instructions(binary, name, Path(tmp))
    print("| benchmark | instructions per request |")
    print("|---|---|")
    for name, n in counts.items():
        print(f"| {name} | {n:,.0f} |")
    if actix:
        actix_summary(counts)
        return 0
    scaling = [n for name, n in counts.items() if name.startswith("scaling/")]
    if scaling:
        print(f"\nscaling: most / fewest = {max(scaling) / min(scaling):.2f}x")
    for what in (
        "allowed preflight, 3 requested headers",
        "allowed actual request, exact origin",
    ):
        prefix = f"vs_tower_http/{what}/"
        floor = counts.get(prefix + "no CORS layer")
        ours = counts.get(prefix + "corsgate")
        theirs = counts.get(prefix + "tower-http")
        if floor is not None and ours is not None and theirs is not None:
            print(
                f"{what}: tower-http / corsgate = {theirs / ours:.2f}x in total, "
                f"{(theirs - floor) / (ours - floor):.2f}x above the no-CORS floor"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
