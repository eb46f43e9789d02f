"""Load and load + check, CPU per report beside the floor, with where the time goes (single process).

The floor is what any reader pays: read the file, decode it, one regex pass over the text (as in
``bench_scale.py``). For the synthetic corpus (``tests/fixtures/synth.py``, text and HTML layouts) and the
real reports (data/seed + data/corpus, text and HTML pages) it prints the floor, load, load + check and
their ratios to the floor (issue 14 target: load + check ≤ 12×), then the CPU of each load stage
(HTML flattening, folding, sections, table tokenizing and rows, prose facts), measured by timing those
functions inside the loads, and the peak RSS of this process.

    .venv/bin/python benchmarks/bench_load.py [--synthetic 300] [--repeat 4]
"""

from __future__ import annotations

import argparse
import collections
import importlib
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_corpus import floor_pass  # noqa: E402
from tests.fixtures.synth import make_corpus  # noqa: E402

from reportkit import paths, tables  # noqa: E402
from reportkit.check import records  # noqa: E402
from reportkit.corpus.pool import discover  # noqa: E402
from reportkit.readers import html  # noqa: E402

load_mod = importlib.import_module("reportkit.load")   # the module (reportkit.load is also the function)

# (module, function, label): the stages of one load, timed where load.py calls them.
STAGES = [(html, "flatten", "HTML flatten"), (load_mod, "Folded", "fold"),
          (load_mod, "split_sections", "sections"), (tables, "tokenize", "table tokens"),
          (tables, "read_rows", "table rows"), (tables, "read_appeals", "table 四"),
          (load_mod, "settle_splits", "split solve"), (load_mod, "extract_facts", "prose facts")]


def _load(files) -> None:
    for p in files:
        try:
            load_mod.load(p)
        except Exception:
            pass


def _load_check(files) -> None:
    for p in files:
        try:
            records(load_mod.load(p))
        except Exception:
            pass


def _cpu(fn, files, repeat: int) -> float:
    """CPU ms per file, the best of ``repeat`` passes (the machine is shared: the best pass is the one
    least disturbed)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn(files)
        best = min(best, time.process_time() - t0)
    return best / len(files) * 1e3


def _stages(files, repeat: int) -> dict[str, float]:
    spent: collections.Counter = collections.Counter()
    saved = []
    for mod, name, label in STAGES:
        fn = getattr(mod, name)
        saved.append((mod, name, fn))

        def timed(*a, _fn=fn, _label=label, **k):
            t0 = time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                spent[_label] += time.process_time() - t0
        setattr(mod, name, timed)
    try:
        for _ in range(repeat):
            _load(files)
    finally:
        for mod, name, fn in saved:
            setattr(mod, name, fn)
    return {k: v / (repeat * len(files)) * 1e3 for k, v in spent.items()}


def report(label: str, files: list[str], repeat: int) -> None:
    _load_check(files)                                  # warm: format spec, regexes, caches
    fl = _cpu(floor_pass, files, repeat * 3)
    lo = _cpu(_load, files, repeat)
    lc = _cpu(_load_check, files, repeat)
    print(f"{label}: floor {fl:.3f} ms | load {lo:.2f} ms ({lo / fl:.1f}×) | load + check {lc:.2f} ms "
          f"({lc / fl:.1f}×, target ≤ 12×)")
    st = _stages(files, max(1, repeat // 2))
    print("   load stages (CPU ms per report): " + ", ".join(f"{k} {v:.2f}" for k, v in
                                                          sorted(st.items(), key=lambda kv: -kv[1])))
    print(f"   the rest of load (stat, decode, metadata, offsets) {lo - sum(st.values()):.2f} ms; check {lc - lo:.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=300, help="synthetic reports (default 300)")
    ap.add_argument("--repeat", type=int, default=4, help="passes over the files (default 4)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-load-") as tmp:
        make_corpus(Path(tmp), args.synthetic, seed=3)
        synth = [str(p) for p in discover(Path(tmp))]
        report(f"synthetic ({len(synth)} files)", synth, args.repeat)
    real = [str(p) for p in [paths.SEED_TEXT] + sorted(paths.CORPUS.glob("*.txt"))
            + sorted((paths.CORPUS / "complete").glob("*.txt")) + sorted((paths.CORPUS / "html").glob("*.html"))]
    report(f"real ({len(real)} files)", real, args.repeat * 3)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
