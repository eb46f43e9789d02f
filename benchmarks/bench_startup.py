"""Start-up of a one-report command beside its floors: ``reportkit parse REPORT --json`` against the bare
interpreter (``python -c pass``) and against ``python -c "import pandas"`` (with ``import reportkit`` and
``reportkit check REPORT --json`` beside them, for reference).

Each command runs as a fresh process, interleaved (bare, pandas, parse, import reportkit, bare, …) so
that the load of a shared machine falls on all of them alike; the figure is the median wall time. The
children run with bytecode writing allowed (``PYTHONDONTWRITEBYTECODE`` removed) after one warm-up
run each, so they use the ``.pyc`` files, as on a user's machine. Targets (issue 14): parse under 10×
bare and under 0.3× the pandas import.

    .venv/bin/python benchmarks/bench_startup.py [--rounds 15] [--report REPORT]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from reportkit import paths


def _run(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def interleaved(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median wall seconds of each command, run as fresh processes in interleaved rounds after one
    warm-up run each (which writes the .pyc files and fills the page cache)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for cmd in commands.values():
        _run(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(_run(cmd, env))
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    ap.add_argument("--report", default=str(paths.SEED_TEXT), help="the report parse reads (default: the seed)")
    args, _ = ap.parse_known_args()         # ./run bench passes the same options to every benchmark
    py = sys.executable
    script = Path(py).parent / "reportkit"
    cli = [str(script)] if script.exists() else [py, "-m", "reportkit.cli"]
    commands = {
        "bare (python -c pass)": [py, "-c", "pass"],
        "import pandas": [py, "-c", "import pandas"],
        "import reportkit": [py, "-c", "import reportkit"],
        "reportkit parse --json": [*cli, "parse", args.report, "--json"],
        "reportkit check --json": [*cli, "check", args.report, "--json"],
    }
    med = interleaved(commands, args.rounds)
    bare, pandas, parse = med["bare (python -c pass)"], med["import pandas"], med["reportkit parse --json"]
    print(f"start-up, median of {args.rounds} interleaved runs (report {Path(args.report).name}):")
    for name, m in med.items():
        print(f"  {name:<24} {m * 1e3:7.1f} ms  {m / bare:5.1f}× bare  {m / pandas:5.2f}× pandas import")
    print(f"parse vs bare: {parse / bare:.1f}× (target < 10×); vs pandas import: {parse / pandas:.2f}× (target < 0.3×)")


if __name__ == "__main__":
    main()
