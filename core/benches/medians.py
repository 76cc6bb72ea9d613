#!/usr/bin/env python3
"""Prints the medians of the last `cargo bench -p corsgate --features tower --bench evaluate` run, with the
targets of docs/BENCHMARKS.md and the ratios they are judged on.

Reads criterion's own estimates (target/criterion/*/new/{benchmark,estimates}.json); the
`[low mean high]` line criterion prints is a confidence interval of the mean, not the median.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Upper bounds on medians, in ns (docs/BENCHMARKS.md, "Core").
TARGETS_NS = {
    "core/allowed actual request, exact origin": 60.0,
    "core/allowed preflight, 3 requested headers": 200.0,
    "core/allowed preflight, 3 requested headers, unsorted with spaces": 200.0,
    "core/denied preflight, origin not allowed": 60.0,
    "core/preflight with a 1 MiB ACRH, refused": 50_000.0,
}


def medians(root: Path) -> dict[str, float]:
    """Benchmark id -> median time in ns, for every benchmark criterion has results for."""
    out: dict[str, float] = {}
    for bench in sorted(root.glob("*/new/benchmark.json")):
        full_id = json.loads(bench.read_text())["full_id"]
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        out[full_id] = float(estimates["median"]["point_estimate"])
    return out


def fmt(ns: float) -> str:
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"


def main() -> int:
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    found = medians(target_dir / "criterion")
    if not found:
        print(f"no criterion results under {target_dir}/criterion", file=sys.stderr)
        return 1
    print("| benchmark | median | target |")
    print("|---|---|---|")
    for name, ns in found.items():
        limit = TARGETS_NS.get(name)
        verdict = (
            ""
            if limit is None
            else f"<= {fmt(limit)}: {'met' if ns <= limit else 'MISSED'}"
        )
        print(f"| {name} | {fmt(ns)} | {verdict} |")
    scaling = [ns for name, ns in found.items() if name.startswith("scaling/")]
    if len(scaling) == 3:
        ratio = max(scaling) / min(scaling)
        print(f"\nscaling: slowest / fastest = {ratio:.2f}x (target <= 1.3x)")
    for what in (
        "allowed preflight, 3 requested headers",
        "allowed actual request, exact origin",
    ):
        ours = found.get(f"vs_tower_http/{what}/corsgate")
        layer = found.get(f"vs_tower_http/{what}/corsgate Layer")
        theirs = found.get(f"vs_tower_http/{what}/tower-http")
        floor = found.get(f"vs_tower_http/{what}/no CORS layer")
        if ours and theirs:
            print(
                f"{what}: tower-http / corsgate = {theirs / ours:.2f}x (target >= 1.5x)"
            )
        if layer and theirs and floor:
            print(
                f"{what}: CORS time above the no-CORS floor ({fmt(floor)}): "
                f"tower-http {fmt(theirs - floor)}, corsgate Layer {fmt(layer - floor)}, "
                f"{(theirs - floor) / (layer - floor):.2f}x (target >= 1.5x)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
