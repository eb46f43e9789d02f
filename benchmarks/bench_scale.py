"""Speed and scale, each figure beside its floor, in one run.

1. start-up: ``reportkit parse REPORT --json`` beside ``python -c pass`` and ``python -c "import pandas"``
   (interleaved runs, medians; bytecode cached, as an installed package has it). Targets: < 10× the bare
   interpreter, < 0.3× the pandas import.
2. per report, in one process (CPU ms): the floor (read, decode, one regex pass), load, load + check, and
   what a corpus worker does (load + check + compaction), on the synthetic corpus and on the real reports
   (data/seed + data/corpus).
3. a streamed corpus run end to end (``write_corpus``: load, check, cross-year checks, copy detection,
   Parquet) at each size of ``--sizes``: reports/s, peak memory (PSS of this process and its workers),
   copy detection time and its candidate counts; then a linear projection to 1,000,000 reports.
4. repeated real reports (each real report saved ``--repeat`` times, as archives do): corpus CPU per
   report and copy detection, the case that used to go quadratic.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,30000] [--workers 2] [--repeat 40]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_corpus import PeakRSS  # noqa: E402
from tests.fixtures.synth import make_corpus  # noqa: E402

from reportkit import paths  # noqa: E402
from reportkit.check import records  # noqa: E402
from reportkit.corpus import pool as rkc  # noqa: E402
from reportkit.corpus import write_corpus  # noqa: E402
from reportkit.load import load  # noqa: E402

PY = sys.executable
_WORD = re.compile(r"\d+|[\u4e00-\u9fff]+")


def startup(runs: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cli = [str(Path(PY).with_name("reportkit")), "parse", str(paths.SEED_TEXT), "--json"]
    cmds = {"python -c pass": [PY, "-c", "pass"], "python -c 'import pandas'": [PY, "-c", "import pandas"],
            "reportkit parse --json": cli}
    for c in cmds.values():                              # warm the bytecode cache and the page cache
        subprocess.run(c, env=env, stdout=subprocess.DEVNULL, check=True)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, c in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(c, env=env, stdout=subprocess.DEVNULL, check=True)
            times[k].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    bare, pandas, parse = med["python -c pass"], med["python -c 'import pandas'"], med["reportkit parse --json"]
    print(f"1. start-up (median of {runs} interleaved runs)")
    for k, v in med.items():
        print(f"   {k:<28} {v * 1e3:7.0f} ms")
    print(f"   parse / bare interpreter  {parse / bare:5.1f}×   (target < 10×)")
    print(f"   parse / pandas import     {parse / pandas:5.2f}×   (target < 0.3×)")


def _floor(files) -> None:
    for p in files:
        data = Path(p).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        _WORD.findall(text)


def _cpu(fn, files, repeat: int) -> float:
    t0 = time.process_time()
    for _ in range(repeat):
        fn(files)
    return (time.process_time() - t0) / (repeat * len(files)) * 1e3


def _load(files):
    for p in files:
        try:
            load(p)
        except Exception:
            pass


def _load_check(files):
    for p in files:
        try:
            records(load(p))
        except Exception:
            pass


def _worker(files):
    rkc._work(list(enumerate(files)))


def per_report(label: str, files: list[str], repeat: int) -> None:
    rkc._init_worker({"check": True})
    _load_check(files[:20])                              # warm: format spec, regexes
    fl = _cpu(_floor, files, repeat * 3)
    lo = _cpu(_load, files, repeat)
    lc = _cpu(_load_check, files, repeat)
    wk = _cpu(_worker, files, repeat)
    print(f"   {label:<22} floor {fl:6.3f} ms | load {lo:6.2f} ms ({lo / fl:4.0f}×) | load+check {lc:6.2f} ms "
          f"({lc / fl:4.0f}×) | corpus worker {wk:6.2f} ms ({wk / fl:4.0f}×)")


def streamed(n: int, workers: int, work: Path) -> dict:
    folder = work / f"synth-{n}"
    if not folder.exists():
        import multiprocessing as mp
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
            ex.submit(make_corpus, folder, n, seed=7).result()
    out = work / f"out-{n}"
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        c = write_corpus(folder, out, workers=workers, overrides=None, progress=False)
        wall = time.perf_counter() - t0
    st = c.info.get("copy_stats", {})
    r = {"n": n, "wall": wall, "peak": mem.peak, "load": c.info["seconds_load"],
         "cross": c.info["seconds_cross_year"], "copies": c.info["seconds_copies"], "stats": st,
         "findings": c.info["findings"], "reports": len(c.reports), "copy_pairs": len(c.copies),
         "mib": sum(p.stat().st_size for p in out.iterdir()) / 2**20}
    print(f"   {n:>7,} files: {wall:7.1f} s = {n / wall:5.0f} reports/s | peak {mem.peak:6,.0f} MiB PSS "
          f"(target ≤ 1024) | load {r['load']:.0f} s, cross-year {r['cross']:.1f} s, copies {r['copies']:.1f} s | "
          f"{r['reports']:,} reports, {r['findings']:,} findings, {r['copy_pairs']} copied pairs, "
          f"{r['mib']:.0f} MiB of Parquet")
    print(f"            copy detection: {st.get('docs')} sections, {st.get('distinct')} distinct, "
          f"{st.get('candidates')} LSH candidates, {st.get('skipped_candidates')} skipped by the cap, "
          f"{st.get('skipped_buckets')} buckets skipped; parent peak RSS after each stage (MiB): "
          f"{c.info.get('peak_mib')}")
    shutil.rmtree(out, ignore_errors=True)
    return r


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
    cpu0 = os.times()
    t0 = time.perf_counter()
    c = write_corpus(folder, work / "out-repeated", workers=workers, overrides=None, progress=False)
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system) + (cpu1.children_user - cpu0.children_user) \
        + (cpu1.children_system - cpu0.children_system)
    st = c.info.get("copy_stats", {})
    print(f"4. {len(real)} real reports × {repeat} copies = {n:,} files: {wall:.1f} s, {n / wall:.0f} reports/s, "
          f"{cpu / n * 1e3:.1f} ms CPU per report (was 78 ms, 13 reports/s); copy detection {c.info['seconds_copies']:.1f} s "
          f"({st.get('distinct')} distinct of {st.get('docs')} sections, {len(c.copies):,} pairs)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,30000", help="synthetic corpus sizes, comma-separated")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--runs", type=int, default=9, help="start-up runs of each command")
    ap.add_argument("--repeat", type=int, default=40, help="copies of each real report in part 4")
    ap.add_argument("--keep", metavar="DIR", help="keep the synthetic corpora here (and reuse them)")
    args = ap.parse_args()
    workers = rkc._workers(args.workers)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        startup(args.runs)
        print("2. CPU per report in one process (ratio to the floor)")
        sample = work / "synth-sample"
        if not sample.exists():
            make_corpus(sample, 300, seed=3)
        per_report("synthetic (300 files)", [str(p) for p in rkc.discover(sample)], 2)
        real = [str(p) for p in [paths.SEED_TEXT] + sorted(paths.CORPUS.glob("*.txt"))
                + sorted((paths.CORPUS / "complete").glob("*.txt")) + sorted((paths.CORPUS / "html").glob("*.html"))]
        per_report(f"real ({len(real)} files)", real, 10)
        print(f"3. streamed corpus run end to end ({workers} workers)")
        pts = [streamed(int(n), workers, work) for n in args.sizes.split(",") if n]
        if len(pts) >= 2:
            a, b = pts[-2], pts[-1]
            slope_t = (b["wall"] - a["wall"]) / (b["n"] - a["n"])
            slope_m = (b["peak"] - a["peak"]) / (b["n"] - a["n"])
            t1m = b["wall"] + slope_t * (1_000_000 - b["n"])
            m1m = b["peak"] + slope_m * (1_000_000 - b["n"])
            m100k = b["peak"] + slope_m * (100_000 - b["n"])
            print(f"   projection (linear through the last two points): 100,000 reports peak ≈ {m100k:,.0f} MiB; "
                  f"1,000,000 reports ≈ {t1m / 3600:.1f} h on {workers} cores, peak ≈ {m1m:,.0f} MiB")
        repeated(args.repeat, workers, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
