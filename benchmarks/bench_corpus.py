"""Corpus throughput, memory and copy detection on a synthetic corpus (default 10,000 files).

Writes a synthetic corpus (:func:`tests.fixtures.synth.make_corpus`: every layout, omitted sections, missing
and broken tables, truncated, GBK, binary, empty and non-report files, agencies over four years with
planted carry-over breaks, stock breaks, stale tables and copied sections 五) into a temporary folder,
then measures in the same run:

* the floor: reading every file, decoding it and one regular-expression pass, in the same process pool;
* load + check (``load_corpus(..., cross=False, copies=False)``): reports/s end to end, and the CPU
  seconds the workers used (so a figure taken on a busy machine can be told apart);
* the cross-year checks and copy detection, with recall and precision on what was planted;
* peak memory: the largest sum of PSS (and of RSS) of this process and its workers, sampled from
  /proc every 250 ms, and ``getrusage`` maxima (self; largest child).

Targets (measured, not asserted): ≥ 500 reports/s load + check on 2 cores, ≤ 1 GB peak, copy detection
under 60 s finding every planted copy.

    .venv/bin/python benchmarks/bench_corpus.py [--n 10000] [--workers 2] [--profile 300] [--keep DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reportkit.corpus import pool as rkc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # tests.fixtures: the synthetic reports
from tests.fixtures.synth import make_corpus  # noqa: E402


def _mem_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB. RSS counts pages a forked worker still shares with its parent
    in both; PSS splits shared pages between the processes sharing them, so PSS sums to real use."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


class PeakRSS:
    """Samples memory of this process + all its descendants: ``peak`` (sum of PSS) and ``peak_rss`` (sum
    of RSS, which counts pages shared after fork once per process) in MiB."""

    def __init__(self, every: float = 0.25):
        self.every, self.peak, self.peak_rss, self._stop = every, 0.0, 0.0, threading.Event()

    def _run(self):
        me = os.getpid()
        while not self._stop.is_set():
            pids, todo = [me], [me]
            while todo:
                kids = _children(todo.pop())
                pids += kids
                todo += kids
            mem = [_mem_kib(p) for p in pids]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in mem) / 1024)
            self.peak = max(self.peak, sum(p for _, p in mem) / 1024)
            self._stop.wait(self.every)

    def __enter__(self):
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


_WORD = re.compile(r"\d+|[\u4e00-\u9fff]+")


def floor_pass(paths: list[str]) -> int:
    """The floor every reader pays, shared by the benchmarks: read each file, decode it (UTF-8, else
    GB18030) and run one regex over it. Returns the words found (so the work cannot be skipped)."""
    n = 0
    for p in paths:
        data = Path(p).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        n += len(_WORD.findall(text))
    return n


def floor(files: list[str], workers: int) -> float:
    """Seconds to read, decode and regex-scan every file, chunked over the same pool size."""
    size = max(1, min(64, math.ceil(len(files) / (workers * 16))))
    chunks = [files[k:k + size] for k in range(0, len(files), size)]
    t0 = time.perf_counter()
    if workers <= 1:
        for ch in chunks:
            floor_pass(ch)
    else:
        import multiprocessing as mp
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
            list(ex.map(floor_pass, chunks))
    return time.perf_counter() - t0


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def profile(files: list[str], n: int) -> str:
    """cProfile of load + check + compaction on ``n`` files in this process: time per module, top functions."""
    rkc._init_worker({"check": True})
    sample = [(i, p) for i, p in enumerate(files[:n])]
    pr = cProfile.Profile()
    pr.enable()
    rkc._work(sample)
    pr.disable()
    st = pstats.Stats(pr)
    by_mod: dict[str, float] = {}
    for (fname, _line, _fn), (_cc, _nc, tt, _ct, _callers) in st.stats.items():
        mod = fname.split("/site-packages/")[-1].split("/src/")[-1] if "/" in fname else fname
        mod = mod.split("/")[0] + "/" + mod.split("/")[1] if mod.startswith("reportkit/") else mod.split("/")[0]
        by_mod[mod] = by_mod.get(mod, 0.0) + tt
    total = sum(by_mod.values())
    lines = [f"profile of {len(sample)} files in one process: {total / len(sample) * 1e3:.1f} ms/file"]
    lines.append("  own time by module:")
    for mod, tt in sorted(by_mod.items(), key=lambda kv: -kv[1])[:12]:
        lines.append(f"    {tt / total:6.1%}  {tt / len(sample) * 1e3:6.2f} ms/file  {mod}")
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(18)
    lines.append("  top functions by own time:")
    lines += ["    " + x for x in s.getvalue().splitlines() if x.strip() and ("/" in x or "{" in x)][:18]
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(25)
    lines.append("  top functions by cumulative time:")
    lines += ["    " + x for x in s.getvalue().splitlines() if x.strip() and ("/" in x or "{" in x)][:25]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="files in the synthetic corpus (default 10000)")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: the cores available)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="also profile N files in one process")
    ap.add_argument("--keep", metavar="DIR", help="write the corpus (and manifest.csv) here and keep it")
    args = ap.parse_args()
    workers = rkc._workers(args.workers)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rk-bench-"))
    try:
        t0 = time.perf_counter()
        # Written by a separate process, so that what this one measures is the corpus run alone.
        import multiprocessing as mp
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
            manifest = ex.submit(make_corpus, folder, args.n, seed=args.seed).result()
        gen = time.perf_counter() - t0
        if args.keep:
            manifest.to_csv(folder / "manifest.csv", index=False)      # not a report suffix: not loaded
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"corpus: {len(manifest)} files, {size / 2**20:.1f} MiB, written in {gen:.1f} s to {folder}")
        print(f"  layouts {manifest['layout'].value_counts().to_dict()}")
        bad = manifest[manifest["kind"] != "report"]
        print(f"  not reports: {len(bad)} ({bad['kind'].value_counts().to_dict()}); "
              f"defects: {(manifest['defects'] != '').sum()}; GBK: {(manifest['encoding'] == 'gbk').sum()}")
        files = [str(p) for p in rkc.discover(folder)]
        n = len(files)
        fl = floor(files, workers)
        print(f"\nfloor (read + decode + one regex pass, {workers} workers): {n / fl:,.0f} files/s ({fl:.2f} s)")

        cpu0, self0 = _cpu_children(), _cpu_self()
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            c = rkc.load_corpus(folder, workers=workers, cross=False, copies=False, progress=False)
            load_s = time.perf_counter() - t0
            cpu = _cpu_children() - cpu0
            self_cpu = _cpu_self() - self0
            rkc._release_memory()
            t0, p0 = time.perf_counter(), time.process_time()
            extra = rkc.cross_year_findings(c)
            cross_s, cross_cpu = time.perf_counter() - t0, time.process_time() - p0
            t0, p0 = time.perf_counter(), time.process_time()
            copies, _found = rkc.detect_copies(c)
            copy_s, copy_cpu = time.perf_counter() - t0, time.process_time() - p0
        print(f"\nload + check ({workers} workers, check available: {c.info['check_available']}):")
        print(f"  {n / load_s:,.0f} reports/s end to end ({load_s:.1f} s for {n} files; target ≥ 500/s)")
        print(f"  ratio to the floor: {load_s / fl:.1f}x")
        print(f"  worker CPU {cpu:.1f} s = {cpu / n * 1e3:.2f} ms/file; parent CPU {self_cpu:.1f} s; "
              f"on {workers} idle cores that is {n / max(cpu / workers, self_cpu, 1e-9):,.0f} reports/s "
              f"(tells a busy machine from a slow program)")
        print(f"  loaded {len(c.reports)}, failed {len(c.errors[c.errors['stage'] == 'load'])} "
              f"(planted {len(bad)}), check errors {len(c.errors[c.errors['stage'] == 'check'])}; "
              f"{len(c.findings)} single-report findings, {len(c.cells):,} cells, {len(c.facts):,} facts")
        print(f"\ncross-year checks: {cross_s:.2f} s ({cross_cpu:.2f} s CPU), {len(extra)} findings "
              f"{extra['rule'].value_counts().to_dict()}")
        m = manifest.set_index("file")
        got = extra.assign(file=extra["source"].map(lambda s: Path(s).name))
        for rule, col in (("carry_over_mismatch", "carry_break"), ("stock_mismatch", "stock_break"),
                          ("stale_table", "stale")):
            planted = set(m.index[m[col].notna() & (m[col] != False)])   # noqa: E712
            found = set(got.loc[got["rule"] == rule, "file"])
            print(f"  {rule}: planted {len(planted)}, found {len(planted & found)}, "
                  f"flagged without a plant {len(found - planted)}")
        st = copies.attrs.get("stats", {})
        print(f"\ncopy detection: {copy_s:.1f} s ({copy_cpu:.1f} s CPU) over {st.get('docs')} sections "
              f"of {len(c.reports)} reports (target < 60 s)")
        print(f"  stages: shingle {st.get('seconds_shingle')} s, boilerplate {st.get('seconds_boilerplate')} s, "
              f"LSH {st.get('seconds_lsh')} s, verify {st.get('seconds_verify')} s")
        print(f"  {st.get('shingles'):,} sampled shingles, {st.get('boilerplate_shingles'):,} boilerplate "
              f"(used by > {st.get('boilerplate_limit')} of {st.get('agencies')} agencies), "
              f"{st.get('eligible')} sections judged, {st.get('too_short')} too short, "
              f"{st.get('candidates')} LSH candidates, {st.get('estimated_close')} close by signature, "
              f"{st.get('copies')} copies")
        planted = {(r.copy_of, r.Index, 5) for r in m[m["copy_of"].notna()].itertuples()}
        pairs = {(Path(a).name, Path(b).name, s) for a, b, s in zip(copies["source_a"], copies["source_b"],
                                                                    copies["section"])}
        # same-year cross-agency copies have no direction: accept either order
        hit = {p for p in planted if p in pairs or (p[1], p[0], p[2]) in pairs}
        # a copy of a copy (2021→2022→2023) makes the ends copies too: pairs joined by planted ones count
        group: dict = {}

        def find(x):
            while group.get(x, x) != x:
                x = group[x]
            return x

        for a, b, _ in planted:
            group[find(a)] = find(b)
        implied = {p for p in pairs if p not in planted and (p[1], p[0], p[2]) not in planted
                   and find(p[0]) == find(p[1]) and p[2] == 5}
        unexplained = {p for p in pairs if p not in planted and (p[1], p[0], p[2]) not in planted} - implied
        kinds = m[m["copy_of"].notna()]["copy_kind"].value_counts().to_dict()
        print(f"  recall on planted copies: {len(hit)}/{len(planted)} = {len(hit) / max(1, len(planted)):.1%} "
              f"({kinds})")
        print(f"  flagged pairs not planted: {len(implied)} implied by chains of planted copies, "
              f"{len(unexplained)} unexplained (false positives)")
        for p in sorted(planted - hit)[:5]:
            print(f"    missed: {p[0]} → {p[1]} ({m.loc[p[1], 'copy_kind']})")
        named = copies.assign(a=copies["source_a"].map(lambda x: Path(x).name),
                              b=copies["source_b"].map(lambda x: Path(x).name))
        for p in sorted(unexplained)[:5]:
            r = named[(named["a"] == p[0]) & (named["b"] == p[1]) & (named["section"] == p[2])].iloc[0]
            print(f"    not planted: {p[0]} → {p[1]} section {p[2]} ({r['kind']}, jaccard {r['jaccard']}, "
                  f"changes {list(r['changes'])[:4]})")
        same = copies[copies["kind"] == "same_agency"]
        print(f"  same-agency copies where only the years changed: {int(same['only_years_changed'].sum())}/{len(same)}")
        print(f"\npeak memory of this process + workers (sampled every 250 ms): {mem.peak:,.0f} MiB PSS "
              f"(target ≤ 1024); sum of RSS {mem.peak_rss:,.0f} MiB counts pages shared after fork twice")
        print(f"  getrusage maxrss: self {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB, "
              f"largest child {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MiB "
              f"(children include the process that wrote the corpus)")
        if args.profile:
            print()
            print(profile(files, args.profile))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
