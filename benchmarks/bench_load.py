"""Load throughput and peak memory on the real reports (data/seed + data/corpus), single process.

Prints reports/s for `reportkit.load` over the real files (repeated to get a stable figure), the floor
(reading the same files and decoding them), the ratio, and the peak RSS of this process.

    .venv/bin/python benchmarks/bench_load.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import resource
import time

import reportkit as rk
from reportkit import paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200, help="passes over the files (default 200)")
    args = ap.parse_args()
    files = [paths.SEED_TEXT] + sorted(paths.CORPUS.glob("*.txt")) + sorted((paths.CORPUS / "complete").glob("*.txt"))
    for f in files:                       # warm caches (format spec, regexes)
        rk.load(f)
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for f in files:
            f.read_bytes().decode("utf-8")
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for f in files:
            rk.load(f)
    took = time.perf_counter() - t0
    n = args.repeat * len(files)
    kb = sum(f.stat().st_size for f in files) / 1024
    print(f"files: {len(files)} real reports ({kb:.0f} KiB), {args.repeat} passes = {n} loads")
    print(f"load:  {n / took:,.0f} reports/s ({took / n * 1e3:.2f} ms/report)")
    print(f"floor: {n / floor:,.0f} reports/s (read + decode only)")
    print(f"ratio to floor: {took / floor:.1f}x")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
