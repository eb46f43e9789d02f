"""The long fuzz run: every fuzz test of ``tests/test_fuzz.py`` with its budget multiplied (issue 8).

The default test run is deterministic and small (about 2,500 inputs); this script sets
``REPORTKIT_FUZZ=long`` so Hypothesis draws fresh inputs, multiplies every budget by ``--factor``
(default 25: about 60,000 inputs), runs the tests in ``--workers`` processes, and prints how many
inputs each test ran, how many the loader accepted or refused with a ReportError, and every failure
with the input Hypothesis shrank it to (paste it into an ``@example`` to keep it as a regression).

Hypothesis stops a test at its first failure, so the budget is split into ``--rounds`` independent
runs of each test (fresh randomness each): one bug found early does not stop the search for others.

    .venv/bin/python benchmarks/fuzz_long.py [--factor 25] [--rounds 5] [--workers 2] [--only NAME]

Exit status 1 when any test failed.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class _TmpFactory:
    """Stands in for pytest's ``tmp_path_factory`` when a test is called outside pytest."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="reportkit-fuzz-long-"))
        atexit.register(shutil.rmtree, self.base, ignore_errors=True)
        self.n = 0

    def mktemp(self, name: str) -> Path:
        self.n += 1
        p = self.base / f"{name}{self.n}"
        p.mkdir()
        return p


def _fuzz_tests(module) -> list[str]:
    return [name for name in dir(module)
            if name.startswith("test_") and hasattr(getattr(module, name), "hypothesis")]


def _run_one(name: str, factor: int) -> dict:
    os.environ["REPORTKIT_FUZZ"] = "long"
    os.environ["REPORTKIT_FUZZ_FACTOR"] = str(factor)
    sys.path.insert(0, str(ROOT))
    from tests import test_fuzz as tf

    test = getattr(tf, name)
    kwargs = {}
    if "tmp_path_factory" in test.hypothesis.inner_test.__code__.co_varnames:
        kwargs["tmp_path_factory"] = _TmpFactory()
    t0 = time.perf_counter()
    failure = None
    try:
        test(**kwargs)
    except BaseException as e:          # a failing test: Hypothesis raises the shrunk failure(s)
        notes = "\n".join(getattr(e, "__notes__", []))
        subs = getattr(e, "exceptions", None) or [e]
        failure = "\n".join(f"{type(x).__name__}: {str(x)[:600]}\n" + "\n".join(getattr(x, "__notes__", []))[:3000]
                            for x in subs) + ("\n" + notes[:3000] if notes else "")
        if not getattr(e, "exceptions", None) and not notes:
            failure += "\n" + "".join(traceback.format_exception(e))[-3000:]
    ran = {k: v for k, v in tf.RAN.items()}
    return {"name": name, "seconds": time.perf_counter() - t0, "ran": ran, "failure": failure}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factor", type=int, default=25, help="budget multiplier (default 25)")
    ap.add_argument("--rounds", type=int, default=5, help="independent runs per test (default 5)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", help="run the tests whose name contains this")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ["REPORTKIT_FUZZ"] = "long"
    os.environ["REPORTKIT_FUZZ_FACTOR"] = str(args.factor)
    from tests import test_fuzz as tf

    names = [n for n in _fuzz_tests(tf) if not args.only or args.only in n]
    per_round = max(1, args.factor // args.rounds)
    print(f"long fuzz: {len(names)} tests, budget x{per_round} in each of {args.rounds} rounds, "
          f"{args.workers} workers", flush=True)
    t0 = time.perf_counter()
    results = []
    with ProcessPoolExecutor(args.workers, max_tasks_per_child=1) as pool:
        futures = [pool.submit(_run_one, n, per_round) for _ in range(args.rounds) for n in names]
        for f in as_completed(futures):
            r = f.result()
            results.append(r)
            inputs = sum(v for k, v in r["ran"].items() if ":" not in k)
            refused = sum(v for k, v in r["ran"].items() if k.endswith(":rejected"))
            state = "FAILED" if r["failure"] else "ok"
            print(f"{state:6s} {r['name']:62s} {inputs:7d} inputs ({inputs - refused} loaded, {refused} refused)"
                  f"  {r['seconds']:7.1f}s", flush=True)
    total = sum(v for r in results for k, v in r["ran"].items() if ":" not in k)
    refused = sum(v for r in results for k, v in r["ran"].items() if k.endswith(":rejected"))
    failed = [r for r in results if r["failure"]]
    print(f"\n{total} inputs in {time.perf_counter() - t0:.0f}s: {total - refused} loaded, {refused} refused "
          f"with a ReportError; {len(failed)} of {len(results)} test runs failed")
    seen = set()
    for r in failed:
        first = r["failure"].splitlines()[0]
        if (r["name"], first) in seen:
            continue
        seen.add((r["name"], first))
        print(f"\n=== {r['name']}\n{r['failure']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
