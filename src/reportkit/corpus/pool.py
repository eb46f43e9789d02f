"""The corpus run: find the report files, load and check them in a process pool (workers send back
compact arrays and tuples, never Report objects), and gather the tidy tables of a :class:`Corpus`."""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


from ..errors import ReportError
from ..format import TABLE_IDS, spec
from ..check import records
from ..load import display_path, load
from ..text import NUMERALS, num_text
from .agencies import LEVELS, _default_overrides, _matches, agency_key, level_of, read_overrides, text_hints
from .copies import COPY_COLUMNS, TEXT_SECTIONS, detect_copies
from .crossyear import cross_year_findings
from .findings import FINDING_COLUMNS, STATES

REPORT_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".xhtml", ".yaml", ".yml", ".json", ".xlsx",
                   ".pdf", ".docx", ".doc", ".wps")
_TEXT_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx", ".doc", ".wps")
_SIDECAR_SUFFIXES = (".json", ".yaml", ".yml")
TABLES = ("reports", "cells", "facts", "findings", "sections", "copies", "errors")


# ---------------------------------------------------------------------------------------------------
# Finding files.

def discover(inputs) -> list[Path]:
    """The files to load from ``inputs`` (folders, files, or a mix), in a stable order.

    A folder is searched recursively for files with a report suffix (:data:`REPORT_SUFFIXES`), skipping
    hidden files and folders and *sidecars*: a ``.json``/``.yaml`` beside a ``.txt``/``.html`` of the same
    name is the other file's metadata (as in ``data/corpus``), not a report. A file named explicitly is
    always loaded. Raises ReportError for a path that does not exist."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    out: list[Path] = []
    seen: set[str] = set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = []
            for f in p.rglob("*"):
                rel = f.relative_to(p).parts
                if any(part.startswith(".") for part in rel) or not f.is_file():
                    continue
                suf = f.suffix.lower()
                if suf not in REPORT_SUFFIXES:
                    continue
                if suf in _SIDECAR_SUFFIXES and any(f.with_suffix(s).exists() for s in _TEXT_SUFFIXES):
                    continue
                found.append(f)
            files = sorted(found, key=lambda f: str(f))
        elif p.exists():
            files = [p]
        else:
            raise ReportError("no such file or folder", str(p))
        for f in files:
            if str(f) not in seen:
                seen.add(str(f))
                out.append(f)
    return out


# ---------------------------------------------------------------------------------------------------
# Worker side: load one file, return compact data.

_OPTS: dict = {}
_CHECK = None
_STATE_CODE = {s: i for i, s in enumerate(STATES)}


def _init_worker(opts: dict) -> None:
    global _OPTS, _CHECK
    _OPTS = opts
    _CHECK = _check_function() if opts.get("check") else None


def _check_function():
    """A function report → list of finding tuples (:data:`FINDING_COLUMNS`): ``check.records`` (plain
    dicts), not ``check.check``, so no DataFrame is built per report."""
    return lambda rep: [tuple(f.get(c) for c in FINDING_COLUMNS) for f in records(rep)]


def _error(i: int, path: str, e: BaseException, stage: str) -> tuple:
    if isinstance(e, ReportError):
        msg = str(e)
    else:
        msg = f"{path}: {type(e).__name__}: {e}"
    return ("error", i, path, type(e).__name__, msg, stage)


class FileTimeout(Exception):
    """A file took longer than the corpus run's per-file limit (``timeout``)."""


def _on_alarm(signum, frame):
    raise FileTimeout()


def _load_one(i: int, path: str) -> list[tuple]:
    try:
        # A FIFO or device named like a report would block the worker for ever: only regular files.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ReportError("不是普通文件（管道、设备或套接字），未读取 / not a regular file", path)
        with _time_limit(_OPTS.get("timeout")):
            rep = load(path, max_bytes=_OPTS.get("max_bytes"))
    except FileTimeout:
        return [("error", i, path, "FileTimeout",
                 f"{path}: 读取超过 {_OPTS.get('timeout')} 秒，已跳过 / took longer than {_OPTS.get('timeout')} s",
                 "load")]
    except Exception as e:          # any failure is a row of the errors table, never the end of the run
        return [_error(i, path, e, "load")]
    out = []
    try:
        payload = _compact(rep)
    except Exception as e:
        return [_error(i, path, e, "load")]
    findings = []
    if _CHECK is not None:
        try:
            findings = _CHECK(rep)
        except Exception as e:
            out.append(_error(i, path, e, "check"))
    payload["findings"] = findings
    out.append(("ok", i, path, payload))
    return out


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise :class:`FileTimeout` in this thread after ``seconds`` (a real-time alarm; also interrupts a
    blocking open). A no-op without a limit, off the main thread, or where there is no SIGALRM."""
    import signal
    import threading
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _work(chunk: list[tuple[int, str]]) -> list[tuple]:
    res = []
    for i, path in chunk:
        res.extend(_load_one(i, path))
    return res


def _table_layout(tid: str, version: str):
    key = (tid, version)
    lay = _LAYOUT_CACHE.get(key)
    if lay is None:
        t = spec().table(tid, version)
        lay = tuple(t.cells)
        _LAYOUT_CACHE[key] = lay
    return lay


_LAYOUT_CACHE: dict = {}
_INDEX_CACHE: dict = {}


def _table_index(tid: str, version: str) -> dict:
    """(row_id, col_id) → position in :func:`_table_layout`."""
    key = (tid, version)
    at = _INDEX_CACHE.get(key)
    if at is None:
        at = _INDEX_CACHE[key] = {rc: k for k, rc in enumerate(_table_layout(tid, version))}
    return at


def _compact(rep) -> dict:
    """What the parent needs of a report, as plain tuples and small numpy arrays: per table the cells in
    the format's order (value, state code, span, and the text only where it is not the number written
    plainly), the facts, the sections (with the body text of 一, 五, 六) and the metadata."""
    import numpy as np
    text = rep.text
    tables = []
    for tid in TABLE_IDS:
        tr = rep.tables.get(tid)
        if tr is None:
            tables.append((tid, None, None, None, None, None, None))
            continue
        at = _table_index(tid, tr.version)
        n = len(at)
        vals = [np.nan] * n
        states = [_STATE_CODE["missing"]] * n
        starts = [-1] * n
        ends = [-1] * n
        raws: list = [None] * n
        for rc, c in tr.cells.items():
            k = at.get(rc)
            if k is None:
                continue
            state = c.state
            states[k] = _STATE_CODE.get(state, _STATE_CODE["missing"])
            if state == "value" and c.value is not None:
                vals[k] = c.value
                if c.raw is not None and c.raw != num_text(c.value):
                    raws[k] = c.raw     # the parent rebuilds a plainly written number from its value
            elif c.raw is not None:
                raws[k] = c.raw
            if c.start is not None:
                starts[k] = c.start
                ends[k] = c.end if c.end is not None else -1
        tables.append((tid, tr.version, np.array(vals, dtype=np.float64), np.array(states, dtype=np.int8),
                       np.array(starts, dtype=np.int32), np.array(ends, dtype=np.int32), raws))
    facts = [(f.value, f.unit, f.text, f.section, f.subject, f.start, f.end) for f in rep.facts]
    secs = []
    for s in rep.sections:
        body = text[s.body_start:s.end] if s.present and s.number in TEXT_SECTIONS else None
        secs.append((s.number, s.present, s.present and not text[s.body_start:s.end].strip(), s.heading,
                     s.start, s.end, s.body_start, s.end - s.body_start, body))
    return {"meta": {"kind": rep.kind, "title": rep.title, "agency": rep.agency, "year": rep.year,
                     "format_version": rep.format_version, "chars": len(text), "notes": len(rep.notes),
                     "assets": len(rep.assets), "hints": text_hints(text)},
            "tables": tables, "facts": facts, "sections": secs}



# ---------------------------------------------------------------------------------------------------
# Parent side.

@dataclass
class Corpus:
    """Tidy tables over many reports (see the module docstring for each table's columns)."""

    reports: pd.DataFrame
    cells: pd.DataFrame
    facts: pd.DataFrame
    findings: pd.DataFrame
    sections: pd.DataFrame
    copies: pd.DataFrame
    errors: pd.DataFrame
    info: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"<Corpus {len(self.reports)} reports, {len(self.errors)} load errors, "
                f"{len(self.findings)} findings, {len(self.copies)} copied sections>")

    def summary(self) -> str:
        """One line: how many reports loaded and failed."""
        files = self.errors[self.errors["stage"].isin(["load", "check"])] if len(self.errors) else self.errors
        failed = files["source"].nunique() if len(files) else 0
        load_failed = int((self.errors["stage"] == "load").sum()) if len(self.errors) else 0
        return f"loaded {len(self.reports)} reports, {load_failed} failed" + (
            f" ({failed - load_failed} more could not be checked)" if failed > load_failed else "")

    def to_parquet(self, out) -> Path:
        """Write every table as Parquet, each readable with ``pandas.read_parquet`` (and DuckDB):

        * ``out`` a folder (any name not ending in ``.parquet``): ``out/<table>.parquet`` for each table
          of :data:`TABLES`, and ``out/corpus.json`` with the run's counts;
        * ``out`` ending in ``.parquet``: that file holds the ``reports`` table, and the others sit
          beside it as ``<name>.<table>.parquet`` (``x.parquet``, ``x.cells.parquet``, …, ``x.corpus.json``).

        File names the OS gives as bytes that are not UTF-8 (a GBK archive unzipped on Linux) are in
        every table in a readable form (:func:`reportkit.load.display_path` with ``gb18030``), and
        ``reports`` and ``errors`` then have a ``source_bytes`` column with the name's raw bytes in hex
        (empty for names that are UTF-8), so no name is lost. Each file is written to a temporary name
        and renamed, so a failed write leaves no half-written table. Returns ``out``."""
        out = Path(out)
        paths = table_paths(out)
        paths["reports"].parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".parquet" and out.is_dir():
            raise ReportError("是一个文件夹；以 .parquet 结尾的名字写成一个文件 / is a folder: a name ending "
                              "in .parquet is written as one file (give a folder name without .parquet)", str(out))
        for name in TABLES:
            df = getattr(self, name)
            _write_table(parquet_safe(df), paths[name])
        tmp = paths["info"].with_name(paths["info"].name + ".tmp")
        tmp.write_text(json.dumps(self.info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, paths["info"])
        return out

    @classmethod
    def read_parquet(cls, out) -> "Corpus":
        """Read what :meth:`to_parquet` wrote (a folder, or ``x.parquet`` with its siblings)."""
        import pandas as pd
        out = Path(out)
        paths = table_paths(out)
        if not paths["reports"].is_file():
            raise ReportError("not written by Corpus.to_parquet (no reports table)", str(out))
        tables = {name: pd.read_parquet(paths[name]) for name in TABLES}
        info = json.loads(paths["info"].read_text(encoding="utf-8")) if paths["info"].exists() else {}
        return cls(**tables, info=info)


def table_paths(out) -> dict[str, Path]:
    """Where :meth:`Corpus.to_parquet` writes each table (and ``info``) for ``out``."""
    out = Path(out)
    if out.suffix.lower() == ".parquet":
        stem = out.name[:-len(".parquet")]
        paths = {name: out.with_name(f"{stem}.{name}.parquet") for name in TABLES}
        paths["reports"] = out
        paths["info"] = out.with_name(f"{stem}.corpus.json")
        return paths
    paths = {name: out / f"{name}.parquet" for name in TABLES}
    paths["info"] = out / "corpus.json"
    return paths


def _has_surrogates(x: str) -> bool:
    try:
        x.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def parquet_safe(df):
    """``df`` without its ``attrs`` (run statistics go to corpus.json, not into the file)."""
    if df.attrs:
        df = df.copy(deep=False)
        df.attrs = {}
    return df


def _write_table(df, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _progress_bar(total: int, progress):
    from tqdm import tqdm
    show = bool(progress) if progress is not None else (sys.stderr.isatty() and total >= 50)
    return tqdm(total=total, file=sys.stderr, disable=not show, unit="file", desc="loading",
                mininterval=0.5, dynamic_ncols=True)


def _workers(workers: int | None) -> int:
    if workers:
        return max(1, int(workers))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _run(items: list[tuple[int, str]], workers: int, opts: dict, bar, sink) -> None:
    """Load ``items`` and hand every result tuple to ``sink`` as it arrives (so results never pile up)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    if workers <= 1 or len(items) < 8:
        _init_worker(opts)
        for i, path in items:
            for r in _load_one(i, path):
                sink(r)
            bar.update(1)
        return
    # Chunks large enough that per-task overhead is small, small enough to balance the cores and keep
    # the bar moving.
    size = max(1, min(64, math.ceil(len(items) / (workers * 16))))
    chunks = [items[k:k + size] for k in range(0, len(items), size)]
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    broken: list[list] = []
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(opts,)) as ex:
        futures = {ex.submit(_work, ch): ch for ch in chunks}
        for f in as_completed(futures):
            ch = futures.pop(f)
            try:
                res = f.result()
            except Exception:           # a worker died (killed, out of memory): retry these files alone
                broken.append(ch)
                continue
            for r in res:
                sink(r)
            del res, f
            bar.update(len(ch))
    for ch in broken:
        for r in _isolated(ch, opts, bar):
            sink(r)


def _isolated(chunk: list[tuple[int, str]], opts: dict, bar) -> list[tuple]:
    """Files whose worker died: each in a fresh single-worker pool, so the culprit is named."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    out = []
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    for i, path in chunk:
        try:
            with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_worker, initargs=(opts,)) as ex:
                out.extend(ex.submit(_work, [(i, path)]).result())
        except BrokenProcessPool:
            out.append(("error", i, path, "WorkerDied",
                        f"{path}: the worker process died while loading this file", "load"))
        except Exception as e:
            out.append(_error(i, path, e, "load"))
        bar.update(1)
    return out


def load_corpus(inputs, *, workers: int | None = None, progress: bool | None = None, overrides="auto",
                check: bool = True, cross: bool = True, copies: bool = True, max_bytes: int | None = None,
                copy_params=None, timeout: float | None = 120) -> Corpus:
    """Load every report under ``inputs`` (a folder, a file, or a list of both; see :func:`discover`).

    ``workers``: processes (default: the cores available; 1 = in this process). ``progress``: True/False
    to force the bar on stderr; None shows it when stderr is a terminal and there are 50 files or more.
    ``overrides``: an override CSV (see :func:`read_overrides`), ``"auto"`` for ``data/agency-overrides.csv``
    when it exists, or None. ``check``: run :func:`reportkit.check.check` on each report (when installed).
    ``cross``: the cross-year checks (:func:`cross_year_findings`). ``copies``: copy detection
    (:func:`reportkit.corpus.copies.find_copies`, with ``copy_params``: a ``CopyParams`` or a dict of its
    fields). ``timeout``: seconds one file may take to load (None: no limit); past it the file is an
    error row. A bad file never stops the run: it becomes a row of ``errors``; a late stage that fails
    (cross-year checks, copy detection) keeps everything loaded and becomes a row of ``errors`` too
    (``stage`` names it, ``source`` is empty) and ``info["failed_stages"]``. Raises ReportError only
    when an input path does not exist or the override file is malformed."""
    import pandas as pd
    t0 = time.perf_counter()
    files = discover(inputs)
    if overrides == "auto":
        overrides = _default_overrides()
    rules_ = read_overrides(overrides) if overrides else []
    n_workers = _workers(workers)
    opts = {"max_bytes": max_bytes, "check": check, "timeout": timeout}
    items = [(i, str(p)) for i, p in enumerate(files)]
    acc = _Accumulator()
    bar = _progress_bar(len(items), progress)
    try:
        _run(items, n_workers, opts, bar, acc.add)
    finally:
        bar.close()
    t1 = time.perf_counter()
    corpus = acc.build(rules_)
    del acc
    if len(items) >= _RELEASE_FROM:
        _release_memory()
    corpus.info.update(files=len(files), workers=n_workers, checked=bool(check),
                       check_available=_check_function() is not None,
                       overrides=str(overrides) if overrides else None, seconds_load=round(t1 - t0, 3),
                       failed_stages=[])
    if cross:
        with _late_stage(corpus, "cross_year"):
            extra = cross_year_findings(corpus)
            if len(extra):
                corpus.findings = pd.concat([corpus.findings, extra], ignore_index=True)
    t2 = time.perf_counter()
    corpus.info["seconds_cross_year"] = round(t2 - t1, 3)
    if copies:
        with _late_stage(corpus, "copies"):
            found_copies, found = detect_copies(corpus, copy_params)
            corpus.copies = found_copies
            if len(found):
                corpus.findings = pd.concat([corpus.findings, found], ignore_index=True)
            corpus.info["copy_stats"] = corpus.copies.attrs.get("stats", {})
    corpus.info["seconds_copies"] = round(time.perf_counter() - t2, 3)
    corpus.findings = _finding_dtypes(corpus.findings)
    n = corpus.findings.groupby("source", observed=True).size() if len(corpus.findings) else pd.Series(dtype=int)
    corpus.reports["findings"] = corpus.reports["source"].map(n).fillna(0).astype("int32")
    corpus.info["seconds"] = round(time.perf_counter() - t0, 3)
    return corpus


@contextlib.contextmanager
def _late_stage(corpus: Corpus, stage: str):
    """A stage after loading that fails must not lose what was loaded: its error becomes a row of
    ``errors`` (no source: it concerns the run) and is named in ``info["failed_stages"]``."""
    import pandas as pd
    try:
        yield
    except Exception as e:
        corpus.info.setdefault("failed_stages", []).append(stage)
        row = pd.DataFrame([{"source": "", "file": "", "error": type(e).__name__,
                             "message": f"{_STAGE_NAMES.get(stage, stage)}失败，已载入的结果保留 / "
                                        f"{stage} failed, loaded reports kept: {type(e).__name__}: {e}",
                             "stage": stage}], columns=corpus.errors.columns)
        corpus.errors = pd.concat([corpus.errors, row], ignore_index=True) if len(corpus.errors) else row


_STAGE_NAMES = {"cross_year": "跨年度核对", "copies": "雷同检测", "write": "写出结果"}


_RELEASE_FROM = 1000
"""Reports from which an in-memory run hands its freed heap back before copy detection: below it the
heap is a few MB and a full collection (~0.15 s) costs more than it returns."""


def _release_memory() -> None:
    """Hand the heap freed by the worker results back to the OS (glibc keeps it otherwise), so copy
    detection does not stack its arrays on top of it. Does nothing where there is no glibc."""
    import gc
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def _finding_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd
    df = df.reindex(columns=["source"] + FINDING_COLUMNS)
    for c in ("section", "start", "end"):
        df[c] = pd.array([None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                          else int(v) for v in df[c]], dtype="Int64")
    for c in ("source", "rule", "severity", "table", "row", "column", "message", "message_en", "origin",
              "basis", "evidence"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
        df[c] = [None if v is None else str(v) for v in df[c]]
    return df.reset_index(drop=True)


_REPORT_COLUMNS = ["report_id", "source", "file", "kind", "title", "agency", "agency_key", "agency_from", "year",
                   "year_from", "level", "level_basis", "override", "format_version", "chars", "sections_present",
                   "sections_empty", "tables_found", "cells_value", "cells_required", "completeness", "facts",
                   "notes", "assets"]
_CELL_COLUMNS = ["report_id", "source", "table", "row_id", "column_id", "row", "column", "value", "state", "raw",
                 "start", "end"]
_FACT_COLUMNS = ["value", "unit", "text", "section", "subject", "start", "end"]
_SECTION_COLUMNS = ["number", "present", "empty", "heading", "start", "end", "body_start", "chars", "text"]


class _Accumulator:
    """Takes worker results one at a time (in any order) and keeps only compact pieces: numpy arrays
    for the cells, small tuples for the rest. :meth:`build` makes the tables, in input order."""

    def __init__(self):
        self.meta: list[tuple] = []                 # (i, path, meta, tables summary, sections summary)
        self.cell_parts: list[tuple] = []           # (i, table no, version, vals, states, starts, ends, raws)
        self.facts: list[tuple] = []                # (i, path, facts)
        self.sections: list[tuple] = []             # (i, path, sections)
        self.findings: list[tuple] = []             # (i, path, findings)
        self.errors: list[tuple] = []
        self.raw_names: dict[int, str] = {}         # report no → hex of a file name that is not UTF-8

    def _name(self, i: int, path: str) -> str:
        shown = display_path(path, gb18030=True)
        if shown != path:
            self.raw_names[i] = os.fsencode(path).hex()
        return shown

    def add(self, r: tuple) -> None:
        if r[0] == "error":
            self.errors.append(r[:2] + (self._name(r[1], r[2]), r[3], display_path(r[4], gb18030=True)) + r[5:])
            return
        _, i, path, pl = r
        path = self._name(i, path)
        m = pl["meta"]
        fv = m["format_version"] or "2021"
        found = []
        for tno, (tid, version, vals, states, starts, ends, raws) in enumerate(pl["tables"]):
            if version is not None:
                found.append(tid)
                raws = [(k, x) for k, x in enumerate(raws) if x is not None]
            self.cell_parts.append((i, tno, version or fv, vals, states, starts, ends, raws, version is None))
        self.meta.append((i, path, m, found, pl["sections"], len(pl["facts"])))
        self.facts.append((i, path, pl["facts"]))
        self.sections.append((i, path, pl["sections"]))
        self.findings.append((i, path, pl["findings"]))

    def build(self, overrides: list[dict]) -> Corpus:
        import pandas as pd
        self.meta.sort(key=lambda x: x[0])
        reports = self._reports(overrides)
        sources = pd.CategoricalDtype(reports["source"].tolist())
        cells = self._cells(sources)
        facts = self._rows(self.facts, _FACT_COLUMNS, sources)
        facts["value"] = facts["value"].astype(float)
        facts["unit"] = facts["unit"].astype("category")
        facts["section"] = facts["section"].astype("Int8")
        sections = self._rows(self.sections, _SECTION_COLUMNS, sources)
        titles = [s.title for s in spec().sections]
        sections.insert(3, "title", pd.Categorical([titles[n - 1] for n in sections["number"]], categories=titles))
        sections["number"] = sections["number"].astype("int8")
        self.findings.sort(key=lambda x: x[0])
        findings = pd.DataFrame([(path,) + tuple(f) for _, path, fs in self.findings for f in fs],
                                columns=["source"] + FINDING_COLUMNS)
        self.errors.sort(key=lambda e: e[1])
        errors = pd.DataFrame([{"source": e[2], "file": Path(e[2]).name, "error": e[3], "message": e[4],
                                "stage": e[5]} for e in self.errors],
                              columns=["source", "file", "error", "message", "stage"])
        if self.raw_names:      # names the OS gave as bytes that are not UTF-8: the exact bytes, in hex
            reports.insert(2, "source_bytes", [self.raw_names.get(i, "") for i in reports["report_id"]])
            errors.insert(1, "source_bytes", [self.raw_names.get(e[1], "") for e in self.errors])
        return Corpus(reports=reports, cells=cells, facts=facts, findings=findings, sections=sections,
                      copies=pd.DataFrame(columns=COPY_COLUMNS), errors=errors,
                      info={"reports": len(reports), "failed": int((errors["stage"] == "load").sum())})

    def _reports(self, overrides: list[dict]) -> pd.DataFrame:
        import pandas as pd
        values = {(i, tno): int((p[4] == 0).sum()) for p in self.cell_parts for i, tno in [p[:2]] if not p[8]}
        required = {}
        for p in self.cell_parts:
            required[p[0]] = required.get(p[0], 0) + len(_table_layout(TABLE_IDS[p[1]], p[2]))
        rows = []
        for i, path, m, found, secs, n_facts in self.meta:
            agency, year = m["agency"], m["year"]
            agency_from = "text" if agency else None
            year_from = "text" if year else None
            level = None
            applied = []
            for o in overrides:
                if _matches(o["pattern"], path):
                    applied.append(o["pattern"])
                    if o["agency"]:
                        agency, agency_from = o["agency"], "override"
                    if o["year"]:
                        year, year_from = o["year"], "override"
                    if o["level"]:
                        level = o["level"]
            if level:
                level_basis = "override"
            else:
                level, level_basis = level_of(agency, hints=m["hints"])
            vals = sum(values.get((i, k), 0) for k in range(len(TABLE_IDS)))
            req = required.get(i, 0)
            rows.append({"report_id": i, "source": path, "file": Path(path).name, "kind": m["kind"],
                         "title": m["title"], "agency": agency, "agency_key": agency_key(agency),
                         "agency_from": agency_from, "year": year, "year_from": year_from, "level": level,
                         "level_basis": level_basis, "override": ";".join(applied) or None,
                         "format_version": m["format_version"], "chars": m["chars"],
                         "sections_present": "".join(NUMERALS[s[0]] for s in secs if s[1]),
                         "sections_empty": "".join(NUMERALS[s[0]] for s in secs if s[2]),
                         "tables_found": ",".join(found), "cells_value": vals, "cells_required": req,
                         "completeness": round(vals / req, 4) if req else 0.0,
                         "facts": n_facts, "notes": m["notes"], "assets": m["assets"]})
        reports = pd.DataFrame(rows, columns=_REPORT_COLUMNS)
        reports["year"] = reports["year"].astype("Int64")
        reports["level"] = pd.Categorical(reports["level"], categories=LEVELS)
        return reports

    def _cells(self, sources: pd.CategoricalDtype) -> pd.DataFrame:
        import numpy as np
        import pandas as pd
        if not self.cell_parts:
            return pd.DataFrame(columns=_CELL_COLUMNS)
        rows, cols, row_labels, col_names = _categories()
        codes_cache: dict = {}

        def codes(tid, version):
            key = (tid, version)
            if key not in codes_cache:
                t = spec().table(tid, version)
                lay = _table_layout(tid, version)
                codes_cache[key] = (np.array([rows[r] for r, _ in lay], np.int16),
                                    np.array([cols[c] for _, c in lay], np.int16),
                                    np.array([row_labels[t.row(r).label] for r, _ in lay], np.int16),
                                    np.array([col_names[t.column(c).name] for _, c in lay], np.int16))
            return codes_cache[key]

        self.cell_parts.sort(key=lambda p: (p[0], p[1]))
        src_of = {path: k for k, path in enumerate(sources.categories)}
        src_code = {i: src_of[path] for i, path, *_ in self.meta}
        parts = {k: [] for k in ("row", "col", "rlab", "cname", "val", "state", "start", "end")}
        seg_rid, seg_tab, seg_len = [], [], []
        given: list[tuple[int, str]] = []
        offset = 0
        for i, tno, version, vals, states, starts, ends, raws, absent in self.cell_parts:
            rc, cc, rl, cn = codes(TABLE_IDS[tno], version)
            n = len(rc)
            if absent:
                vals = np.full(n, np.nan)
                states = np.full(n, STATES.index("missing"), np.int8)
                starts = ends = np.full(n, -1, np.int32)
                raws = []
            seg_rid.append(i)
            seg_tab.append(tno)
            seg_len.append(n)
            for k, arr in (("row", rc), ("col", cc), ("rlab", rl), ("cname", cn), ("val", vals), ("state", states),
                           ("start", starts), ("end", ends)):
                parts[k].append(arr)
            given.extend((offset + k, x) for k, x in raws)
            offset += n
        self.cell_parts = []
        cat = {k: np.concatenate(v) for k, v in parts.items()}
        del parts
        cat["rid"] = np.repeat(np.array(seg_rid, np.int32), seg_len)
        cat["src"] = np.repeat(np.array([src_code[i] for i in seg_rid], np.int32), seg_len)
        cat["tab"] = np.repeat(np.array(seg_tab, np.int8), seg_len)
        val, start, end = cat["val"], cat["start"], cat["end"]
        raw = _raw_codes(val, cat["state"], given)
        return pd.DataFrame({
            "report_id": cat["rid"],
            "source": pd.Categorical.from_codes(cat["src"], dtype=sources),
            "table": pd.Categorical.from_codes(cat["tab"], categories=list(TABLE_IDS)),
            "row_id": pd.Categorical.from_codes(cat["row"], categories=list(rows)),
            "column_id": pd.Categorical.from_codes(cat["col"], categories=list(cols)),
            "row": pd.Categorical.from_codes(cat["rlab"], categories=list(row_labels)),
            "column": pd.Categorical.from_codes(cat["cname"], categories=list(col_names)),
            "value": pd.arrays.FloatingArray(np.nan_to_num(val), np.isnan(val)),
            "state": pd.Categorical.from_codes(cat["state"], categories=list(STATES)),
            "raw": raw,
            "start": pd.arrays.IntegerArray(start.astype(np.int64), start < 0),
            "end": pd.arrays.IntegerArray(end.astype(np.int64), end < 0),
        }, copy=False)

    @staticmethod
    def _rows(parts: list[tuple], columns: list[str], sources) -> pd.DataFrame:
        import numpy as np
        import pandas as pd
        parts.sort(key=lambda x: x[0])
        rid = np.fromiter((i for i, _, rows in parts for _ in rows), dtype=np.int32)
        src = [path for _, path, rows in parts for _ in rows]
        df = pd.DataFrame([row for _, _, rows in parts for row in rows], columns=columns)
        parts.clear()
        df.insert(0, "source", pd.Categorical(src, dtype=sources))
        df.insert(0, "report_id", rid)
        return df


def _raw_codes(val: np.ndarray, state: np.ndarray, given: list[tuple[int, str]]) -> pd.Categorical:
    """The ``raw`` column: workers send a cell's text only when it differs from its number written
    plainly (``num_text``); the rest is rebuilt here from the values, once per distinct value."""
    import numpy as np
    import pandas as pd
    codes = np.full(len(val), -1, dtype=np.int32)
    need = (state == STATES.index("value")) & ~np.isnan(val)
    inv, uniq = pd.factorize(val[need])
    texts = [num_text(v) for v in uniq]
    cats = sorted(set(texts) | {x for _, x in given})
    at = {x: k for k, x in enumerate(cats)}
    codes[need] = np.array([at[x] for x in texts], dtype=np.int32)[inv] if len(uniq) else []
    for pos, x in given:
        codes[pos] = at[x]
    return pd.Categorical.from_codes(codes, categories=cats)


def _categories():
    rows, cols, row_labels, col_names = {}, {}, {}, {}
    for tid in TABLE_IDS:
        for v in ("2021", "2019"):
            t = spec().table(tid, v)
            for r, c in t.cells:
                rows.setdefault(r, len(rows))
                cols.setdefault(c, len(cols))
                row_labels.setdefault(t.row(r).label, len(row_labels))
                col_names.setdefault(t.column(c).name, len(col_names))
    return rows, cols, row_labels, col_names
