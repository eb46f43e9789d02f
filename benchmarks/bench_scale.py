"""Speed and scale, every figure beside its floor, in one run (issue 14, "Done when").

1. start-up: ``reportkit parse REPORT --json`` beside ``python -c pass`` and ``python -c "import pandas"``
   (interleaved runs, medians; run without PYTHONDONTWRITEBYTECODE after a warm-up run, so the bytecode
   is cached as an installed package has it). Targets: < 10× the bare interpreter, < 0.3× the pandas import.
2. CPU per report in one process, beside the floor (read, decode, one regex pass): ``rk.load``,
   ``rk.check(rk.load(…))`` and a corpus run (``load_corpus(…, workers=1, copies=False)``: load, check,
   the tidy tables, cross-year checks), on the synthetic corpus and on the real reports of data/corpus
   (text and web pages). Target: load + check ≤ 12× the floor.
3. a streamed corpus run end to end (``write_corpus``: load, check, cross-year checks, copy detection,
   Parquet) at 10,000 reports, and 100,000 with ``--full``: wall time, CPU of the whole process tree per
   report, peak memory of the whole tree (sum of PSS of this process and its workers, sampled every
   250 ms; the sum of RSS beside it). Target: < 1 GiB at 100,000. Then copy detection alone on the
   sections file the run wrote, in a fresh process: time and that process's peak RSS beside its RSS once
   the libraries are imported. Finally a projection to 1,000,000 reports from the measured points.
4. repeated real reports (each real report saved ``--repeat`` times, as archives do): corpus CPU per
   report and copy detection, the case that used to go quadratic (78 ms of CPU per report).

Only the public API is imported: the hot path and start-up change under it, so each figure is "at this
commit"; rerun after merging.

    .venv/bin/python benchmarks/bench_scale.py [--full] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_corpus import PeakRSS, floor_pass  # noqa: E402
from bench_startup import interleaved  # noqa: E402
from tests.fixtures.synth import make_corpus  # noqa: E402

import reportkit as rk  # noqa: E402
from reportkit import paths  # noqa: E402
from reportkit.corpus import discover, load_corpus, write_corpus  # noqa: E402

PY = sys.executable
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def startup(runs: int) -> None:
    cli = [str(Path(PY).with_name("reportkit")), "parse", str(paths.SEED_TEXT), "--json"]
    med = interleaved({"python -c pass": [PY, "-c", "pass"], "python -c 'import pandas'": [PY, "-c", "import pandas"],
                       "reportkit parse --json": cli}, runs)
    bare, pandas, parse = med["python -c pass"], med["python -c 'import pandas'"], med["reportkit parse --json"]
    print(f"1. start-up (median of {runs} interleaved runs, bytecode cached)")
    for k, v in med.items():
        print(f"   {k:<28} {v * 1e3:7.0f} ms")
    print(f"   parse / bare interpreter  {parse / bare:5.1f}×   (target < 10×)")
    print(f"   parse / pandas import     {parse / pandas:5.2f}×   (target < 0.3×)")


def _cpu(fn, files, repeat: int) -> float:
    t0 = time.process_time()
    for _ in range(repeat):
        fn(files)
    return (time.process_time() - t0) / (repeat * len(files)) * 1e3


def _load(files):
    for p in files:
        try:
            rk.load(p)
        except Exception:
            pass


def _load_check(files):
    for p in files:
        try:
            rk.check(rk.load(p))
        except Exception:
            pass


def _corpus(files):
    load_corpus(files, workers=1, overrides=None, progress=False, copies=False)


def per_report(label: str, files: list[str], repeat: int) -> dict:
    _load_check(files[:20])                              # warm: format spec, regexes
    _corpus(files[:20])
    fl = _cpu(floor_pass, files, repeat * 3)
    lo = _cpu(_load, files, repeat)
    lc = _cpu(_load_check, files, repeat)
    co = _cpu(_corpus, files, repeat)
    print(f"   {label:<22} floor {fl:6.3f} ms | load {lo:6.2f} ms ({lo / fl:4.0f}×) | load+check {lc:6.2f} ms "
          f"({lc / fl:4.0f}×, target ≤ 12×) | corpus {co:6.2f} ms ({co / fl:4.0f}×)")
    return {"floor": fl, "load": lo, "load_check": lc, "corpus": co}


_COPIES_ALONE = r"""
import json, resource, sys, time
import pandas as pd
from reportkit.corpus import detect_copies_parquet
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
out = sys.argv[1]
reports = pd.read_parquet(out + "/reports.parquet")
base = rss()
t0 = time.perf_counter()
copies, found = detect_copies_parquet(out + "/sections.parquet", reports, spill=sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t0, "base": base, "copies": len(copies),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "stats": copies.attrs["stats"]}, default=str))
"""


def _tree_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def streamed(n: int, workers: int, work: Path) -> dict:
    folder = work / f"synth-{n}"
    if not folder.exists():
        import multiprocessing as mp
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
            ex.submit(make_corpus, folder, n, seed=7).result()
    out = work / f"out-{n}"
    cpu0 = _tree_cpu()
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        c = write_corpus(folder, out, workers=workers, overrides=None, progress=False)
        wall = time.perf_counter() - t0
    cpu = _tree_cpu() - cpu0
    st = c.info.get("copy_stats", {})
    r = {"n": n, "wall": wall, "cpu": cpu, "peak": mem.peak, "peak_rss": mem.peak_rss,
         "load": c.info["seconds_load"], "cross": c.info["seconds_cross_year"], "copies": c.info["seconds_copies"],
         "stats": st, "findings": c.info["findings"], "reports": len(c.reports), "copy_pairs": len(c.copies),
         "mib": sum(p.stat().st_size for p in out.iterdir()) / 2**20}
    print(f"   {n:>7,} files: {wall:7.1f} s = {n / wall:5.0f} reports/s, {cpu / n * 1e3:5.1f} ms CPU per report "
          f"(whole tree) | peak {mem.peak:6,.0f} MiB PSS, {mem.peak_rss:6,.0f} MiB RSS (whole tree; target ≤ 1024) | "
          f"load {r['load']:.0f} s, cross-year {r['cross']:.1f} s, copies {r['copies']:.1f} s | "
          f"{r['reports']:,} reports, {r['findings']:,} findings, {r['copy_pairs']} copied pairs, "
          f"{r['mib']:.0f} MiB of Parquet")
    print(f"            copy detection in the run: {st.get('docs')} sections, {st.get('distinct')} distinct, "
          f"{st.get('eligible')} judged, {st.get('candidates')} LSH candidates (banding {st.get('banding')}), "
          f"{st.get('skipped_candidates')} skipped by the cap, {st.get('skipped_buckets')} buckets skipped; "
          f"parent peak RSS after each stage (MiB): {c.info.get('peak_mib')}")
    spill = work / "spill"
    spill.mkdir(exist_ok=True)
    got = subprocess.run([PY, "-c", _COPIES_ALONE, str(out), str(spill)], env=_ENV, capture_output=True,
                         text=True, check=True)
    alone = json.loads(got.stdout.splitlines()[-1])
    r["copies_alone"] = alone
    print(f"            copy detection alone (fresh process): {alone['seconds']:.1f} s, peak RSS "
          f"{alone['peak']:.0f} MiB of which {alone['peak'] - alone['base']:.0f} MiB above the libraries "
          f"({(alone['peak'] - alone['base']) * 2**20 / max(n, 1) / 1024:.1f} KiB per report); "
          f"{alone['copies']} copied pairs")
    shutil.rmtree(out, ignore_errors=True)
    return r


def project(pts: list[dict], workers: int) -> None:
    """Straight lines through the last two points: every stage streams, so time and memory are a fixed
    part plus a part per report (the per-report part of memory: the reports table, the cross-year
    digests and ~0.8 KiB of copy-detection arrays per report)."""
    a, b = pts[-2], pts[-1]
    dn = b["n"] - a["n"]
    slope_t, slope_m = (b["wall"] - a["wall"]) / dn, (b["peak"] - a["peak"]) / dn
    ca, cb = a["copies_alone"], b["copies_alone"]
    slope_ct = (cb["seconds"] - ca["seconds"]) / dn
    slope_cm = ((cb["peak"] - cb["base"]) - (ca["peak"] - ca["base"])) / dn
    big = 1_000_000
    print(f"   projection to {big:,} reports (linear through {a['n']:,} and {b['n']:,}): "
          f"{(b['wall'] + slope_t * (big - b['n'])) / 3600:.1f} h on {workers} cores, peak ≈ "
          f"{b['peak'] + slope_m * (big - b['n']):,.0f} MiB for the whole tree "
          f"({slope_m * 2**20 / 1024:.2f} KiB more per report); copy detection ≈ "
          f"{(cb['seconds'] + slope_ct * (big - b['n'])) / 60:.0f} min and "
          f"{cb['peak'] - cb['base'] + slope_cm * (big - b['n']):,.0f} MiB above the libraries")


def repeated(repeat: int, workers: int, work: Path) -> None:
    real = [paths.SEED_TEXT] + sorted(paths.CORPUS.glob("*.txt")) + sorted((paths.CORPUS / "complete").glob("*.txt")) \
        + sorted((paths.CORPUS / "html").glob("*.html"))
    folder = work / "repeated"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for k in range(repeat):
        for p in real:
            shutil.copyfile(p, folder / f"{k:03d}-{p.parent.name}-{p.name}")
    n = repeat * len(real)
    cpu0 = _tree_cpu()
    t0 = time.perf_counter()
    c = write_corpus(folder, work / "out-repeated", workers=workers, overrides=None, progress=False)
    wall = time.perf_counter() - t0
    cpu = _tree_cpu() - cpu0
    st = c.info.get("copy_stats", {})
    print(f"4. {len(real)} real reports × {repeat} copies = {n:,} files: {wall:.1f} s, {n / wall:.0f} reports/s, "
          f"{cpu / n * 1e3:.1f} ms CPU per report (was 78 ms, 13 reports/s); copy detection {c.info['seconds_copies']:.1f} s "
          f"({st.get('distinct')} distinct of {st.get('docs')} sections, {len(c.copies):,} pairs)")
    shutil.rmtree(work / "out-repeated", ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also 100,000 reports (about an hour on 2 cores)")
    ap.add_argument("--sizes", help="synthetic corpus sizes, comma-separated (default 10000; 10000,100000 "
                                    "with --full)")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: the cores available)")
    ap.add_argument("--runs", type=int, default=9, help="start-up runs of each command")
    ap.add_argument("--repeat", type=int, default=40, help="copies of each real report in part 4")
    ap.add_argument("--keep", metavar="DIR", help="keep the synthetic corpora here (and reuse them)")
    args = ap.parse_args()
    sizes = [int(n) for n in (args.sizes or ("10000,100000" if args.full else "10000")).split(",") if n]
    workers = args.workers or len(os.sched_getaffinity(0))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        startup(args.runs)
        print("2. CPU per report in one process (ratio to the floor)")
        sample = work / "synth-sample"
        if not sample.exists():
            make_corpus(sample, 300, seed=3)
        per_report("synthetic (300 files)", [str(p) for p in discover(sample)], 2)
        real = [str(p) for p in [paths.SEED_TEXT] + sorted(paths.CORPUS.glob("*.txt"))
                + sorted((paths.CORPUS / "complete").glob("*.txt")) + sorted((paths.CORPUS / "html").glob("*.html"))]
        per_report(f"real ({len(real)} files)", real, 10)
        print(f"3. streamed corpus run end to end ({workers} workers)")
        pts = [streamed(n, workers, work) for n in sizes]
        if len(pts) >= 2:
            project(pts, workers)
        repeated(args.repeat, workers, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
