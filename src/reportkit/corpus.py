"""Many reports at once: a folder (or a list of paths) loaded into tidy pandas tables, checked within and
across reports, with copy detection (雷同).

>>> from reportkit.corpus import load_corpus
>>> c = load_corpus("data/corpus")                       # doctest: +SKIP
>>> c.reports[["source", "agency", "year", "level"]]     # doctest: +SKIP

Tables of a :class:`Corpus` (one row per …):

* ``reports``   report loaded: source, file, agency, year, level (+ how each was decided), title, format,
  sections present / empty, tables found, cell counts and completeness, number of findings;
* ``cells``     cell the format requires, per report (long form): table, row_id, column_id, row, column,
  value (NA unless a number was read), state (``value``/``blank``/``unreadable``/``missing``), raw,
  start, end;
* ``facts``     number stated in prose (value, unit, text, section, subject, start, end);
* ``findings``  finding: the columns of :func:`reportkit.check.check` plus ``source``; single-report
  findings come from ``check`` (empty when that module is not installed), cross-report ones from
  :func:`cross_year_findings` and copy detection (see :func:`rules`);
* ``sections``  section per report: span, heading, present/empty, and the body text of sections 一, 五
  and 六 (the prose copy detection compares; the others' text is left in the files);
* ``copies``    copied section pair (see :mod:`reportkit.similarity`);
* ``errors``    file that could not be used: source, file, error (exception type), message (a
  ``ReportError``'s message as is), stage (``load`` or ``check``).

Loading runs in a process pool (chunks of files per task; workers send back compact arrays and tuples,
never Report objects), shows a tqdm bar on stderr when stderr is a terminal (or when asked), and never
stops on a bad file: every exception becomes a row of ``errors``.

Agency, year and level come from each report's title and text (``Report.agency``, ``Report.year``);
an override file (CSV, see :func:`read_overrides` and ``data/agency-overrides.csv``) corrects what the
text gets wrong. Level is one of ``department``, ``town``, ``county``, ``city``, ``province`` or NA when
the name cannot tell (see :func:`level_of`).

Parquet: :meth:`Corpus.to_parquet` writes a *folder* with one file per table (``reports.parquet``,
``cells.parquet``, …, plus ``corpus.json`` with the run's counts); :meth:`Corpus.read_parquet` reads it
back. Read one table with ``pd.read_parquet("OUT/reports.parquet")``.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import math
import multiprocessing as mp
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ReportError
from .format import TABLE_IDS, fold, label_key, spec

REPORT_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".xhtml", ".yaml", ".yml", ".json", ".xlsx",
                   ".pdf", ".docx", ".doc", ".wps")
_TEXT_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx", ".doc", ".wps")
_SIDECAR_SUFFIXES = (".json", ".yaml", ".yml")
STATES = ("value", "blank", "unreadable", "missing")
LEVELS = ("department", "town", "county", "city", "province")
FINDING_COLUMNS = ["rule", "severity", "section", "table", "row", "column", "message", "message_en", "origin",
                   "basis", "start", "end", "evidence"]
TEXT_SECTIONS = (1, 5, 6)
TABLES = ("reports", "cells", "facts", "findings", "sections", "copies", "errors")
_NUMERALS = "一二三四五六"


# ---------------------------------------------------------------------------------------------------
# Level of government.

_DEPT_SUFFIX = re.compile(r"(?:分局|局|委员会|委|办公室|办|中心|厅|署|院|所|站|队|会|处|馆|部)$")
_TOWN = re.compile(r"(?:街道办事处|街道办|街道|镇|乡)$")
_ZONE = re.compile(r"(?:开发区|新区|实验区|高新区|示范区|园区|合作区|管理区)$")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
# Both bracket widths are spelled out, so the text need not be folded first (this runs on every report).
_COUNTY_WORDS = re.compile(r"县[(（]市[、,，]?区[)）]|县[(（]区[、,，]?市[)）]|县[(（]区[)）]|区[(（]县[)）]|各区县|"
                           r"各县区|县市区|区县政府|县区政府|各县[(（]市[)）]|市辖区|各县、区|各区、县")
_TOWN_WORDS = re.compile(r"镇[(（]街道[)）]|镇[(（]街[)）]|各乡镇|各镇|镇街|乡[(（]镇[)）]")


def text_hints(text: str) -> tuple[bool, bool]:
    """(speaks of 县（市、区）, speaks of 镇（街道）) in the first 20,000 characters: what tells a 设区的市
    government's report from a 县级市's when the name alone ("X市人民政府") cannot."""
    head = text[:20000]
    return bool(_COUNTY_WORDS.search(head)), bool(_TOWN_WORDS.search(head))


def level_of(agency: str | None, text: str | None = None, hints: tuple[bool, bool] | None = None
             ) -> tuple[str | None, str]:
    """Level of ``agency`` and why: ``department`` (name ends in 局/委/办/中心…), ``town`` (镇/乡/街道),
    ``county`` (县/区/旗 government, or a 县级市 whose report speaks of its 镇（街道）), ``city`` (设区的市,
    州/盟/地区 government), ``province`` (省/自治区/直辖市 government), or None when the name cannot tell
    (development zones, a bare "X市" whose report names neither 县（市、区） nor 镇（街道）)."""
    if not agency:
        return None, "no agency name"
    name = re.sub(r"[\s()（）]", "", fold(agency))
    if re.search(r"街道(?:办事处|办)?$", name):
        return "town", "name ends with 街道"
    gov = re.search(r"(?:人民)?政府$", name)
    base = name[:gov.start()] if gov else name
    if not gov and _DEPT_SUFFIX.search(name):
        return "department", f"name ends with {_DEPT_SUFFIX.search(name).group()}"
    if not base:
        return None, "no place name"
    if _TOWN.search(base):
        return "town", f"government of a {_TOWN.search(base).group()}"
    if base.endswith("省") or base.endswith("自治区") or base in _MUNICIPALITIES:
        return "province", "government of a 省/自治区/直辖市"
    if _ZONE.search(base):
        return None, f"{_ZONE.search(base).group()}: set the level in the override file"
    if re.search(r"(?:县|旗|区|特区|林区)$", base):
        return "county", "government of a 县/区/旗"
    if re.search(r"(?:州|盟|地区)$", base):
        return "city", "government of a 州/盟/地区"
    if base.endswith("市"):
        if re.search(r"(?:市|州|盟|地区).+市$", base):
            return "county", "a 市 under a 市/州/盟/地区: 县级市"
        if hints is None and text is not None:
            hints = text_hints(text)
        counties, towns = hints or (False, False)
        if counties:
            return "city", "X市 whose report speaks of 县（市、区）: 设区的市"
        if towns:
            return "county", "X市 whose report speaks of 镇（街道） and no 县（市、区）: 县级市"
        return None, "X市: 设区的市 or 县级市 cannot be told from the name; use the override file"
    return None, "no level suffix in the name"


def agency_key(agency: str | None) -> str | None:
    """The key reports of one agency share across years: label key without a trailing (人民)政府."""
    if not agency:
        return None
    k = re.sub(r"(?:人民)?政府$", "", label_key(agency))
    return k or None


# ---------------------------------------------------------------------------------------------------
# Overrides.

def read_overrides(path) -> list[dict]:
    """Rows of an override file (CSV, UTF-8, header ``pattern,agency,year,level,note``).

    ``pattern`` is a shell pattern (``*``, ``?``, ``[…]``, case-sensitive): without ``/`` it is matched
    against the file name, with ``/`` against the end of the source path (``corpus/005.txt`` matches
    ``data/corpus/005.txt``). An empty field keeps what the text says. Every matching row applies, in
    file order, so a later row wins. Lines whose pattern starts with ``#`` are comments.
    Raises ReportError naming the file and line for a bad year or level."""
    rows = []
    p = Path(path)
    with p.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"pattern", "agency", "year", "level"} - set(reader.fieldnames or ())
        if missing:
            raise ReportError(f"the override file needs the columns pattern,agency,year,level (missing: "
                              f"{', '.join(sorted(missing))})", str(p), "line 1")
        for line, row in enumerate(reader, start=2):
            pat = (row.get("pattern") or "").strip()
            if not pat or pat.startswith("#"):
                continue
            year = (row.get("year") or "").strip()
            level = (row.get("level") or "").strip()
            if year and not re.fullmatch(r"(?:19|20)\d\d", year):
                raise ReportError(f"year {year!r} is not a year", str(p), f"line {line}")
            if level and level not in LEVELS:
                raise ReportError(f"level {level!r} is not one of {', '.join(LEVELS)}", str(p), f"line {line}")
            rows.append({"pattern": pat, "agency": (row.get("agency") or "").strip() or None,
                         "year": int(year) if year else None, "level": level or None,
                         "note": (row.get("note") or "").strip() or None, "line": line})
    return rows


def _matches(pattern: str, source: str) -> bool:
    s = source.replace("\\", "/")
    if "/" in pattern:
        return fnmatch.fnmatchcase(s, pattern) or fnmatch.fnmatchcase(s, "*/" + pattern.lstrip("/"))
    return fnmatch.fnmatchcase(s.rsplit("/", 1)[-1], pattern)


def _default_overrides() -> Path | None:
    from . import paths
    p = paths.DATA / "agency-overrides.csv"
    return p if p.exists() else None


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
    """A function report → list of finding tuples (:data:`FINDING_COLUMNS`) from ``reportkit.check``, or
    None when that module is not installed (findings then stay empty). ``check.records`` (plain dicts)
    is preferred to ``check.check``: no DataFrame per report."""
    try:
        from . import check as chk
    except ImportError:
        return None
    records = getattr(chk, "records", None)
    if records is not None:
        return lambda rep: [tuple(f.get(c) for c in FINDING_COLUMNS) for f in records(rep)]
    check = getattr(chk, "check", None)
    if check is None:
        return None
    return lambda rep: list(check(rep).reindex(columns=FINDING_COLUMNS).itertuples(index=False, name=None))


def _error(i: int, path: str, e: BaseException, stage: str) -> tuple:
    if isinstance(e, ReportError):
        msg = str(e)
    else:
        msg = f"{path}: {type(e).__name__}: {e}"
    return ("error", i, path, type(e).__name__, msg, stage)


def _load_one(i: int, path: str) -> list[tuple]:
    from .load import load
    try:
        rep = load(path, max_bytes=_OPTS.get("max_bytes"))
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
                if c.raw is not None and c.raw != _fmt(c.value):
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
        failed = self.errors["source"].nunique() if len(self.errors) else 0
        load_failed = int((self.errors["stage"] == "load").sum()) if len(self.errors) else 0
        return f"loaded {len(self.reports)} reports, {load_failed} failed" + (
            f" ({failed - load_failed} more could not be checked)" if failed > load_failed else "")

    def to_parquet(self, folder) -> Path:
        """Write every table to ``folder/<table>.parquet`` (the folder is created) and the run's counts
        to ``folder/corpus.json``. Returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            df = getattr(self, name)
            if df.attrs:                    # run statistics go to corpus.json, not into the file
                df = df.copy(deep=False)
                df.attrs = {}
            df.to_parquet(folder / f"{name}.parquet", index=False)
        (folder / "corpus.json").write_text(json.dumps(self.info, ensure_ascii=False, indent=1, default=str),
                                           encoding="utf-8")
        return folder

    @classmethod
    def read_parquet(cls, folder) -> "Corpus":
        """Read a folder written by :meth:`to_parquet`."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ReportError("not a folder written by Corpus.to_parquet", str(folder))
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        info_path = folder / "corpus.json"
        info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
        return cls(**tables, info=info)


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
                copy_params=None) -> Corpus:
    """Load every report under ``inputs`` (a folder, a file, or a list of both; see :func:`discover`).

    ``workers``: processes (default: the cores available; 1 = in this process). ``progress``: True/False
    to force the bar on stderr; None shows it when stderr is a terminal and there are 50 files or more.
    ``overrides``: an override CSV (see :func:`read_overrides`), ``"auto"`` for ``data/agency-overrides.csv``
    when it exists, or None. ``check``: run :func:`reportkit.check.check` on each report (when installed).
    ``cross``: the cross-year checks (:func:`cross_year_findings`). ``copies``: copy detection
    (:func:`reportkit.similarity.find_copies`, with ``copy_params``: a ``CopyParams`` or a dict of its
    fields). A bad file never stops the run:
    it becomes a row of ``errors``. Raises ReportError only when an input path does not exist or the
    override file is malformed."""
    t0 = time.perf_counter()
    files = discover(inputs)
    if overrides == "auto":
        overrides = _default_overrides()
    rules_ = read_overrides(overrides) if overrides else []
    n_workers = _workers(workers)
    opts = {"max_bytes": max_bytes, "check": check}
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
    _release_memory()
    corpus.info.update(files=len(files), workers=n_workers, checked=bool(check),
                       check_available=_check_function() is not None,
                       overrides=str(overrides) if overrides else None, seconds_load=round(t1 - t0, 3))
    if cross:
        extra = cross_year_findings(corpus)
        corpus.findings = pd.concat([corpus.findings, extra], ignore_index=True) if len(extra) else corpus.findings
    t2 = time.perf_counter()
    corpus.info["seconds_cross_year"] = round(t2 - t1, 3)
    if copies:
        corpus.copies, found = detect_copies(corpus, copy_params)
        if len(found):
            corpus.findings = pd.concat([corpus.findings, found], ignore_index=True)
        corpus.info["copy_stats"] = corpus.copies.attrs.get("stats", {})
    corpus.info["seconds_copies"] = round(time.perf_counter() - t2, 3)
    corpus.findings = _finding_dtypes(corpus.findings)
    n = corpus.findings.groupby("source", observed=True).size() if len(corpus.findings) else pd.Series(dtype=int)
    corpus.reports["findings"] = corpus.reports["source"].map(n).fillna(0).astype("int32")
    corpus.info["seconds"] = round(time.perf_counter() - t0, 3)
    return corpus


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

    def add(self, r: tuple) -> None:
        if r[0] == "error":
            self.errors.append(r)
            return
        _, i, path, pl = r
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
        from .similarity import COPY_COLUMNS
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
        return Corpus(reports=reports, cells=cells, facts=facts, findings=findings, sections=sections,
                      copies=pd.DataFrame(columns=COPY_COLUMNS), errors=errors,
                      info={"reports": len(reports), "failed": int((errors["stage"] == "load").sum())})

    def _reports(self, overrides: list[dict]) -> pd.DataFrame:
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
                         "sections_present": "".join(_NUMERALS[s[0] - 1] for s in secs if s[1]),
                         "sections_empty": "".join(_NUMERALS[s[0] - 1] for s in secs if s[2]),
                         "tables_found": ",".join(found), "cells_value": vals, "cells_required": req,
                         "completeness": round(vals / req, 4) if req else 0.0,
                         "facts": n_facts, "notes": m["notes"], "assets": m["assets"]})
        reports = pd.DataFrame(rows, columns=_REPORT_COLUMNS)
        reports["year"] = reports["year"].astype("Int64")
        reports["level"] = pd.Categorical(reports["level"], categories=LEVELS)
        return reports

    def _cells(self, sources: pd.CategoricalDtype) -> pd.DataFrame:
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
    plainly (``_fmt``); the rest is rebuilt here from the values, once per distinct value."""
    codes = np.full(len(val), -1, dtype=np.int32)
    need = (state == STATES.index("value")) & ~np.isnan(val)
    inv, uniq = pd.factorize(val[need])
    texts = [_fmt(v) for v in uniq]
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


# ---------------------------------------------------------------------------------------------------
# Cross-report checks.

_RULES = [
    ("carry_over_mismatch", "warning", "convention", "cross-year",
     "表三 上年结转（本年）≠ 结转下年度继续办理（上年），按列比较：惯例，不是格式规定（撤回、更正可使其不同）"),
    ("stock_mismatch", "warning", "convention", "cross-year",
     "表二 规章/行政规范性文件 现行有效件数 ≠ 上年现行有效 + 本年制发 − 本年废止：合理性检查，存量可能重新清点"),
    ("stale_table", "warning", "convention", "cross-year",
     "一张表的全部数字与上年报告完全相同且不全为0：数据可能未更新"),
    ("copied_section", "warning", "convention", "copy",
     "第一、五或六部分与另一份报告（本机关往年或其他机关）雷同：去除格式套话后仍近乎相同"),
]


def rules() -> pd.DataFrame:
    """The cross-report rules (id, severity, basis, category, description), like ``check.rules()``."""
    return pd.DataFrame(_RULES, columns=["id", "severity", "basis", "category", "description"])


def _fmt(v) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _year_pairs(reports: pd.DataFrame) -> pd.DataFrame:
    """(this, prev) report ids for one agency in consecutive years; per (agency, year) the report with the
    most numbers read stands for it (mirror copies of one report are left to copy detection)."""
    r = reports[reports["agency_key"].notna() & reports["year"].notna()]
    r = r.sort_values(["agency_key", "year", "cells_value", "report_id"], ascending=[True, True, False, True])
    r = r.drop_duplicates(["agency_key", "year"])
    prev = r[["agency_key", "year", "report_id", "source"]].copy()
    prev["year"] = prev["year"] + 1
    pairs = r[["agency_key", "year", "report_id", "source"]].merge(prev, on=["agency_key", "year"],
                                                                  suffixes=("", "_prev"))
    return pairs


def _finding(source, rule, section, table, row, column, message, message_en, start, end, evidence,
             origin="undetermined", severity="warning", basis="convention") -> dict:
    return {"source": source, "rule": rule, "severity": severity, "section": section, "table": table,
            "row": row, "column": column, "message": message, "message_en": message_en, "origin": origin,
            "basis": basis, "start": start, "end": end, "evidence": evidence}


def cross_year_findings(corpus: Corpus) -> pd.DataFrame:
    """Findings that need two years of one agency (rules ``carry_over_mismatch``, ``stock_mismatch``,
    ``stale_table``; see :func:`rules`). Each is reported on the later report, with the earlier one
    named in the message. Only cells whose numbers were read on both sides are compared."""
    pairs = _year_pairs(corpus.reports)
    cols = ["source"] + FINDING_COLUMNS
    if pairs.empty or corpus.cells.empty:
        return pd.DataFrame(columns=cols)
    cells = corpus.cells
    out = _carry_over(cells, pairs) + _stock(cells, pairs) + _stale(cells, pairs)
    return pd.DataFrame(out, columns=cols)


def _pick(cells: pd.DataFrame, table: str, row_ids: tuple[str, ...]) -> pd.DataFrame:
    """The value cells of some rows of one table, with plain-string ids (a small frame)."""
    m = (cells["table"] == table) & cells["row_id"].isin(row_ids) & (cells["state"] == "value")
    sub = cells.loc[m, ["report_id", "row_id", "column_id", "column", "value", "raw", "start", "end"]]
    return sub.astype({"row_id": str, "column_id": str, "column": str, "value": "float64"})


def _evidence(raw, value) -> str:
    return raw if isinstance(raw, str) else _fmt(value)


def _carry_over(cells: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    sub = _pick(cells, "requests", ("carried_in", "carried_out"))
    ci = sub[sub["row_id"] == "carried_in"]
    co = sub.loc[sub["row_id"] == "carried_out", ["report_id", "column_id", "value"]]
    co = co.rename(columns={"report_id": "report_id_prev", "value": "value_prev"})
    m = pairs.merge(ci, on="report_id").merge(co, on=["report_id_prev", "column_id"])
    out = []
    for r in m[m["value"] != m["value_prev"]].itertuples(index=False):
        out.append(_finding(
            r.source, "carry_over_mismatch", 3, "requests", "carried_in", r.column_id,
            f"上年结转政府信息公开申请数量（{r.column}）为{_fmt(r.value)}，而上年报告（{r.source_prev}）"
            f"的结转下年度继续办理为{_fmt(r.value_prev)}。按惯例两者应相等；这是惯例而非格式规定，撤回、更正等可使其不同。",
            f"Carried over from last year ({r.column}) is {_fmt(r.value)}, but last year's report "
            f"({r.source_prev}) carried {_fmt(r.value_prev)} forward. By convention (not a rule of the format) "
            f"they are equal; withdrawals or corrections can make them differ.",
            _int(r.start), _int(r.end), _evidence(r.raw, r.value)))
    return out


def _stock(cells: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    sub = _pick(cells, "proactive", ("regulations", "normative_documents"))
    sub = sub[sub["column_id"].isin(["issued", "repealed", "in_force"])]
    if sub.empty:
        return []
    wide = sub.pivot_table(index=["report_id", "row_id"], columns="column_id", values="value",
                           aggfunc="first").reset_index()
    if not {"issued", "repealed", "in_force"} <= set(wide.columns):
        return []
    this = pairs.merge(wide, on="report_id")
    prev = wide[["report_id", "row_id", "in_force"]].rename(
        columns={"report_id": "report_id_prev", "in_force": "in_force_prev"})
    s = this.merge(prev, on=["report_id_prev", "row_id"]).dropna(
        subset=["issued", "repealed", "in_force", "in_force_prev"])
    s["expected"] = s["in_force_prev"] + s["issued"] - s["repealed"]
    s = s[s["in_force"] != s["expected"]]
    where = sub[sub["column_id"] == "in_force"].set_index(["report_id", "row_id"])[["raw", "start", "end"]]
    out = []
    for r in s.itertuples(index=False):
        label = "规章" if r.row_id == "regulations" else "行政规范性文件"
        cell = where.loc[(r.report_id, r.row_id)]
        out.append(_finding(
            r.source, "stock_mismatch", 2, "proactive", r.row_id, "in_force",
            f"{label}现行有效件数为{_fmt(r.in_force)}，而上年报告（{r.source_prev}）的现行有效{_fmt(r.in_force_prev)}"
            f"加本年制发{_fmt(r.issued)}减本年废止{_fmt(r.repealed)}为{_fmt(r.expected)}。这是合理性检查，不是规定："
            f"存量可能重新清点，或含修订、移交的文件。",
            f"{label} in force is {_fmt(r.in_force)}, but last year's stock ({r.source_prev}) "
            f"{_fmt(r.in_force_prev)} + issued {_fmt(r.issued)} − repealed {_fmt(r.repealed)} = {_fmt(r.expected)}. "
            f"A plausibility check, not a rule: the stock may have been recounted.",
            _int(cell["start"]), _int(cell["end"]), _evidence(cell["raw"], r.in_force)))
    return out


def _stale(cells: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    """Tables whose every cell (number or not) equals last year's, with enough non-zero flow cells.

    Each (report, table) gets an order-free 64-bit fingerprint of its (cell, state, value) triples, so
    the comparison of thousands of pairs is a few array operations; candidate hits are then compared
    cell by cell."""
    n = int(cells["report_id"].max()) + 1
    tab = cells["table"].cat.codes.to_numpy()
    cats = cells["column_id"].cat.categories
    in_force = cats.get_loc("in_force") if "in_force" in cats else -2
    a = pairs["report_id"].to_numpy(np.int64)
    b = pairs["report_id_prev"].to_numpy(np.int64)
    out = []
    for t, tid in enumerate(cells["table"].cat.categories):
        m = tab == t
        if not m.any():
            continue
        sub = cells.loc[m, ["report_id", "row_id", "column_id", "state", "value"]]
        rid = sub["report_id"].to_numpy(np.int64)
        col = sub["column_id"].cat.codes.to_numpy()
        state = sub["state"].cat.codes.to_numpy().astype(np.uint64)
        value = sub["value"].to_numpy(dtype="float64", na_value=np.nan)
        is_value = state == STATES.index("value")
        with np.errstate(over="ignore"):
            h = sub["row_id"].cat.codes.to_numpy().astype(np.uint64) * np.uint64(4096) + col.astype(np.uint64)
            h *= np.uint64(0x9E3779B97F4A7C15)
            h ^= state << np.uint64(56)
            h ^= np.where(is_value, value, 0.0).view(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
            h *= np.uint64(0x94D049BB133111EB)
            h ^= h >> np.uint64(29)
        fp = np.zeros(n, dtype=np.uint64)
        np.add.at(fp, rid, h)
        n_vals = np.bincount(rid, weights=is_value, minlength=n)
        flows = np.bincount(rid, weights=is_value & (value != 0) & (col != in_force), minlength=n)
        del h, value, state, col
        required = len(spec().table(tid).cells)
        hit = (fp[a] == fp[b]) & (n_vals[a] >= 0.8 * required) & (flows[a] >= 2)
        if not hit.any():
            continue
        section = spec().section_for_table(tid).number
        for r in pairs[hit].itertuples(index=False):
            ta = sub[sub["report_id"] == r.report_id]
            tb = sub[sub["report_id"] == r.report_id_prev]
            ka = set(zip(ta["row_id"].astype(str), ta["column_id"].astype(str), ta["state"].astype(str),
                         ta["value"].astype("float64").fillna(-1)))
            kb = set(zip(tb["row_id"].astype(str), tb["column_id"].astype(str), tb["state"].astype(str),
                         tb["value"].astype("float64").fillna(-1)))
            if ka != kb:                                # a fingerprint collision: not the same table
                continue
            nv = int(n_vals[r.report_id])
            title = spec().section(section).title
            out.append(_finding(
                r.source, "stale_table", section, tid, None, None,
                f"{title}的表格中{nv}个数字与上年报告（{r.source_prev}）完全相同且不全为0：数据可能没有更新。",
                f"All {nv} numbers of the table of section {section} equal last year's report ({r.source_prev}) "
                f"and are not all zero: the data may not have been updated.",
                _int(cells.loc[ta.index, "start"].min()), _int(cells.loc[ta.index, "end"].max()),
                f"{nv} 个数字与 {r.source_prev} 相同"))
    return out


def _int(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else int(v)


def detect_copies(corpus: Corpus, params=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copy detection over the corpus's sections 一, 五 and 六: (copies table, ``copied_section``
    findings). See :mod:`reportkit.similarity` for the method."""
    from .similarity import COPY_COLUMNS, find_copies
    secs = corpus.sections
    secs = secs[secs["text"].notna() & secs["number"].isin(TEXT_SECTIONS)]
    empty = pd.DataFrame(columns=["source"] + FINDING_COLUMNS)
    if secs.empty:
        return pd.DataFrame(columns=COPY_COLUMNS), empty
    meta = corpus.reports[["report_id", "agency", "agency_key", "year"]]
    docs = secs[["report_id", "source", "number", "text", "body_start"]].merge(meta, on="report_id")
    docs = docs.rename(columns={"number": "section", "body_start": "offset"})
    docs["source"] = docs["source"].astype(str)
    if isinstance(params, dict):
        from .similarity import CopyParams
        params = CopyParams(**params)
    res = find_copies(docs, params)
    text_of = dict(zip(zip(docs["report_id"], docs["section"]), zip(docs["text"], docs["offset"])))
    out = []
    for r in res.itertuples(index=False):
        sec = _NUMERALS[r.section - 1]
        if r.only_years_changed:
            changes = "，仅年份不同（" + "、".join(r.year_changes) + "）"
        elif r.identical:
            changes = "，文字完全相同"
        elif r.numbers_only:
            changes = "，只有年份和数字不同（套用同一模板）"
        else:
            changes = ""
        targets = [("b", r.report_b, r.source_b, r.spans_b, r.source_a, r.agency_a, r.year_a)]
        if r.year_a == r.year_b and r.kind == "cross_agency":       # no earlier one: both are named
            targets.append(("a", r.report_a, r.source_a, r.spans_a, r.source_b, r.agency_b, r.year_b))
        for _, rid, src, spans, other, other_agency, other_year in targets:
            text, offset = text_of[(rid, r.section)]
            start = min(s for s, _ in spans) if len(spans) else None
            end = max(e for _, e in spans) if len(spans) else None
            evidence = text[spans[0][0] - offset:spans[0][1] - offset][:80] if len(spans) else None
            who = "本机关" if r.kind == "same_agency" else f"{other_agency or '另一机关'}"
            whose_en = "the same agency's" if r.kind == "same_agency" else f"{other_agency or 'another agency'}'s"
            changes_en = ("; only the years changed: " + ", ".join(r.year_changes) if r.only_years_changed
                          else "; the text is the same" if r.identical
                          else "; only years and numbers changed (one template)" if r.numbers_only else "")
            out.append(_finding(
                src, "copied_section", int(r.section), None, None, None,
                f"第{sec}部分与{who}{other_year if pd.notna(other_year) else ''}年报告（{other}）雷同："
                f"去除格式套话后相似度{r.jaccard:.0%}，相同文字占{r.copied_share:.0%}{changes}。",
                f"Section {r.section} is a near copy of {whose_en} report {other} (similarity {r.jaccard:.0%} "
                f"without boilerplate, {r.copied_share:.0%} of the text identical{changes_en}).",
                start, end, evidence, origin="author"))
    return res, pd.DataFrame(out, columns=["source"] + FINDING_COLUMNS)


# ---------------------------------------------------------------------------------------------------
# Command line.

def add_cli(sub) -> None:
    """Register ``reportkit corpus``."""
    import argparse
    sp = sub.add_parser(
        "corpus", help="load a folder of reports into tidy tables (Parquet), with cross-year checks and "
                       "copy detection",
        description=("Load every report under DIR (recursively) into tidy tables: reports, cells, facts, "
                     "findings, sections, copies, errors. Bad files are listed, never fatal. With -o the "
                     "tables are written as Parquet, one file per table, into the folder OUT; without it "
                     "the reports table is printed as CSV."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=("examples:\n"
                "  reportkit corpus data/corpus -o build/corpus.parquet\n"
                "  reportkit corpus reports/ --workers 2 --no-copies > reports.csv\n"
                "\nexit status: 0 ran (even with bad files), 2 a DIR does not exist or bad options"))
    sp.add_argument("inputs", nargs="+", metavar="DIR", help="folder(s) or file(s) of reports")
    sp.add_argument("-o", "--out", metavar="OUT", help="folder to write the Parquet tables into (created)")
    sp.add_argument("--workers", type=int, default=None, help="processes (default: the cores available)")
    sp.add_argument("--overrides", default="auto",
                    help="override CSV (pattern,agency,year,level,note); default data/agency-overrides.csv")
    sp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress bar on stderr (default: when stderr is a terminal)")
    sp.add_argument("--no-check", dest="check", action="store_false", help="skip the single-report checks")
    sp.add_argument("--no-copies", dest="copies", action="store_false", help="skip copy detection")
    sp.set_defaults(func=_cmd_corpus)


def _csv_safe(v):
    """Report text (an agency name) must not become a spreadsheet formula when the CSV is opened."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def _cmd_corpus(args) -> int:
    for p in args.inputs:
        if not Path(p).exists():
            raise ReportError("no such file or folder", p)
    overrides = args.overrides if args.overrides not in ("auto", "") else ("auto" if args.overrides else None)
    c = load_corpus(args.inputs, workers=args.workers, progress=args.progress, overrides=overrides,
                    check=args.check, copies=args.copies)
    if args.out:
        folder = c.to_parquet(args.out)
        where = f"see {folder / 'errors.parquet'}" + (" and findings.parquet" if len(c.findings) else "")
    else:
        cols = ["source", "agency", "year", "level", "format_version", "sections_present", "completeness",
                "findings"]
        c.reports[cols].map(_csv_safe).to_csv(sys.stdout, index=False)
        for e in c.errors.itertuples(index=False):
            print(f"reportkit: {e.message}", file=sys.stderr)
        where = "see the messages above" if len(c.errors) else "nothing failed"
    print(f"{c.summary()}; {where} ({len(c.findings)} findings, {len(c.copies)} copied sections)",
          file=sys.stderr)
    return 0
