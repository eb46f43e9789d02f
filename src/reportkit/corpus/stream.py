"""A corpus run straight to Parquet, in bounded memory: :func:`write_corpus`.

:func:`reportkit.corpus.load_corpus` returns every table in memory, which is what an analyst wants for
a few thousand reports. At national scale (10⁵ reports a year) the tables do not fit: here the worker
results are gathered in batches of ``batch`` reports, each batch becomes one Arrow table per corpus
table and is written as a *part* file as soon as it is complete; nothing holds all rows. When every
file is read, the parts of each table are copied, row group by row group, into the final files (see
:func:`reportkit.corpus.pool.table_paths`); the cross-year checks then read the cells back one
statistical table at a time, and copy detection reads only the text of sections 一, 五 and 六.

An interrupted run resumes (``resume=True``): the parts and a manifest of what each part holds (each
file's path and the SHA-1 of its content) stay in ``<out>.parts/`` until the run completes, and a file
whose path and content are in the manifest is not read again.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

from ..errors import ReportError
from .agencies import _default_overrides, read_overrides
from .copies import COPY_COLUMNS, detect_copies_parquet
from .crossyear import cross_year_from_digests, digest_cells
from .findings import FINDING_COLUMNS
from .pool import (_REPORT_COLUMNS, TABLES, Corpus, _Accumulator, _finding_dtypes, _late_stage, _progress_bar, _release_memory,
                   _run, _workers, _write_table, discover, table_paths)

_STREAMED = ("reports", "cells", "facts", "findings", "sections", "errors")


def _arrow_table(df):
    """A batch as an Arrow table whose schema does not depend on the batch: categories and strings as
    strings (Parquet dictionary-encodes them anyway), nullable integers as integers."""
    import pyarrow as pa
    import pandas as pd
    fields, arrays = [], []
    for col in df.columns:
        s = df[col]
        dt = s.dtype
        if isinstance(dt, pd.CategoricalDtype) or dt == object or pd.api.types.is_string_dtype(dt):
            vals = s.astype(object)
            arr = pa.array([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
                            for v in vals], type=pa.large_string())
        elif pd.api.types.is_bool_dtype(dt):
            arr = pa.array(s.astype("boolean"), type=pa.bool_(), from_pandas=True)
        elif pd.api.types.is_integer_dtype(dt):
            typ = pa.from_numpy_dtype(dt.numpy_dtype if hasattr(dt, "numpy_dtype") else dt)
            arr = pa.array(s, type=typ, from_pandas=True)
        else:
            arr = pa.array(s.astype("float64"), type=pa.float64(), from_pandas=True)
        fields.append(pa.field(col, arr.type))
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _sha1(path: str) -> str:
    """SHA-1 of a regular file's content ("" for anything else: a FIFO is opened without blocking and
    never read)."""
    import hashlib
    h = hashlib.sha1()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        with os.fdopen(fd, "rb", buffering=0, closefd=False) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    finally:
        os.close(fd)
    return h.hexdigest()


class _Parts:
    """The part files of an unfinished run and their manifest (``<out>.parts/``)."""

    def __init__(self, out: Path, resume: bool):
        self.dir = Path(str(out).rstrip("/\\") + ".parts")
        if self.dir.exists() and not resume:
            import shutil
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest = self.dir / "manifest.jsonl"
        self.done: dict[tuple[str, str], int] = {}
        self.parts: list[int] = []
        if self.manifest.exists():
            for line in self.manifest.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:        # a line cut by the interruption: that part is redone
                    continue
                if all((self.dir / f"{t}-{rec['part']:05d}.parquet").exists() for t in _STREAMED):
                    self.parts.append(rec["part"])
                    for path, sha, rid in rec["files"]:
                        self.done[(path, sha)] = rid

    def path(self, table: str, part: int) -> Path:
        return self.dir / f"{table}-{part:05d}.parquet"

    def commit(self, part: int, files: list[tuple[str, str, int]]) -> None:
        with open(self.manifest, "a", encoding="utf-8", errors="surrogateescape") as f:
            f.write(json.dumps({"part": part, "files": files}, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.parts.append(part)


def write_corpus(inputs, out, *, workers: int | None = None, progress: bool | None = None, overrides="auto",
                 check: bool = True, cross: bool = True, copies: bool = True, max_bytes: int | None = None,
                 copy_params=None, timeout: float | None = 120, batch: int = 500, resume: bool = False) -> Corpus:
    """Load every report under ``inputs`` (as :func:`reportkit.corpus.load_corpus`) and write the tables
    to ``out`` as Parquet (a folder, or ``NAME.parquet``: see :meth:`Corpus.to_parquet`), streaming.

    Returns a :class:`Corpus` holding only the small tables (``reports``, ``copies``, ``errors``) and the
    run's ``info``; ``cells``, ``facts``, ``findings`` and ``sections`` are empty there: read them from
    the files (``pd.read_parquet``, DuckDB). ``resume``: go on from an interrupted run into the same
    ``out`` (files already written, by path and content hash, are not read again)."""
    import pandas as pd
    import pyarrow.parquet as pq
    t0 = time.perf_counter()
    out = Path(out)
    paths = table_paths(out)
    if out.suffix.lower() == ".parquet" and out.is_dir():
        raise ReportError("是一个文件夹；以 .parquet 结尾的名字写成一个文件 / is a folder: a name ending in "
                          ".parquet is written as one file", str(out))
    files = discover(inputs)
    if overrides == "auto":
        overrides = _default_overrides()
    rules_ = read_overrides(overrides) if overrides else []
    n_workers = _workers(workers)
    parts = _Parts(out, resume)
    items, hashes, skipped = [], {}, 0
    for i, p in enumerate(files):
        path = str(p)
        sha = _sha1(path) if resume else ""
        if resume and (path, sha) in parts.done:
            skipped += 1
            continue
        hashes[i] = sha or _sha1(path)
        items.append((i, path))
    opts = {"max_bytes": max_bytes, "check": check, "timeout": timeout}
    state = {"acc": _Accumulator(), "n": 0, "part": max(parts.parts, default=-1) + 1}

    def flush():
        acc = state["acc"]
        if not acc.meta and not acc.errors:
            return
        c = acc.build(rules_)
        c.findings = _finding_dtypes(c.findings)
        part = state["part"]
        for name in _STREAMED:
            df = getattr(c, name)
            if name == "reports" and "source_bytes" not in df.columns:
                df = df.assign(source_bytes="")
            if name == "errors":
                if "source_bytes" not in df.columns:
                    df = df.assign(source_bytes="")
                df = df.reindex(columns=["source", "source_bytes", "file", "error", "message", "stage"])
            tmp = parts.path(name, part).with_suffix(".tmp")
            pq.write_table(_arrow_table(df), tmp)
            os.replace(tmp, parts.path(name, part))
        done = [(path, hashes[i], i) for i, path, *_ in acc.meta] + [(e[2], hashes[e[1]], e[1]) for e in acc.errors]
        parts.commit(part, done)
        state["part"] += 1
        state["acc"], state["n"] = _Accumulator(), 0
        del c
        _release_memory()

    def sink(r):
        state["acc"].add(r)
        if r[0] == "ok":
            state["n"] += 1
            if state["n"] >= batch:
                flush()

    bar = _progress_bar(len(items), progress)
    try:
        _run(items, n_workers, opts, bar, sink)
        flush()
    finally:
        bar.close()
    t1 = time.perf_counter()
    peak = {"load": _peak_mib()}
    info = {"files": len(files), "resumed": skipped, "workers": n_workers, "checked": bool(check),
            "overrides": str(overrides) if overrides else None, "seconds_load": round(t1 - t0, 3),
            "failed_stages": []}
    # The small tables, whole: reports (its findings count is filled in at the end) and errors.
    reports = _read_parts(parts, "reports")
    errors = _read_parts(parts, "errors")
    if not errors["source_bytes"].astype(bool).any():
        errors = errors.drop(columns="source_bytes")
    if not reports["source_bytes"].astype(bool).any():
        reports = reports.drop(columns="source_bytes")
    reports = reports.sort_values("report_id", kind="stable").reset_index(drop=True)
    reports["year"] = reports["year"].astype("Int64")
    corpus = Corpus(reports=reports, cells=pd.DataFrame(), facts=pd.DataFrame(), findings=pd.DataFrame(),
                    sections=pd.DataFrame(), copies=pd.DataFrame(columns=COPY_COLUMNS), errors=errors,
                    info=info)
    paths["reports"].parent.mkdir(parents=True, exist_ok=True)
    for name in ("cells", "facts", "sections"):
        _merge_parts(parts, name, paths[name])
    _release_memory()
    extra = []
    if cross:
        with _late_stage(corpus, "cross_year"):
            extra.append(_cross_year_from(paths["cells"], reports))
    t2 = time.perf_counter()
    _release_memory()
    peak["cross_year"] = _peak_mib()
    info["seconds_cross_year"] = round(t2 - t1, 3)
    if copies:
        with _late_stage(corpus, "copies"):
            # From the file, row group by row group: the texts are read back only for the pairs to verify,
            # the shingles spill beside the parts.
            corpus.copies, found = detect_copies_parquet(paths["sections"], reports, copy_params, spill=parts.dir)
            extra.append(found)
            info["copy_stats"] = corpus.copies.attrs.get("stats", {})
    info["seconds_copies"] = round(time.perf_counter() - t2, 3)
    peak["copies"] = _peak_mib()
    info["peak_mib"] = peak         # this process's peak RSS after each stage (workers not included)
    extra = [e for e in extra if len(e)]
    extra = _finding_dtypes(pd.concat(extra, ignore_index=True)) if extra else None
    counts = _merge_parts(parts, "findings", paths["findings"], extra=extra, count="source")
    corpus.reports["findings"] = corpus.reports["source"].map(counts).fillna(0).astype("int32")
    info.update(reports=len(reports), failed=int((errors["stage"] == "load").sum()) if len(errors) else 0,
                findings=int(sum(counts.values())))
    for name in ("reports", "copies", "errors"):
        _write_table(getattr(corpus, name).copy(deep=False), paths[name])
    info["seconds"] = round(time.perf_counter() - t0, 3)
    tmp = paths["info"].with_name(paths["info"].name + ".tmp")
    tmp.write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, paths["info"])
    import shutil
    shutil.rmtree(parts.dir, ignore_errors=True)
    return corpus


def _peak_mib() -> float | None:
    """This process's peak resident memory so far, in MiB (Linux reports ru_maxrss in KiB)."""
    if not sys.platform.startswith("linux"):
        return None
    import resource
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _read_parts(parts: _Parts, name: str):
    import pandas as pd
    import pyarrow.parquet as pq
    frames = [pq.read_table(parts.path(name, k)).to_pandas() for k in sorted(parts.parts)]
    frames = [f for f in frames if len(f)]
    if not frames:
        columns = (["report_id", "source", "source_bytes"] + _REPORT_COLUMNS[2:] if name == "reports"
                   else ["source", "source_bytes", "file", "error", "message", "stage"])
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "report_id" else object) for c in columns})
    return pd.concat(frames, ignore_index=True)


def _merge_parts(parts: _Parts, name: str, dest: Path, extra=None, count: str | None = None) -> dict:
    """Copy the parts of one table into ``dest``, row group by row group (and ``extra`` rows after them);
    with ``count``, return how many rows each value of that column has."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    tmp = dest.with_name(dest.name + ".tmp")
    counts: dict = {}
    schema = None
    writer = None
    try:
        for k in sorted(parts.parts):
            f = pq.ParquetFile(parts.path(name, k))
            if f.metadata.num_rows == 0:        # a batch of failed files only: no rows, no usable schema
                continue
            if schema is None:
                schema = f.schema_arrow
                writer = pq.ParquetWriter(tmp, schema)
            for g in range(f.num_row_groups):
                t = f.read_row_group(g)
                if t.schema != schema:
                    t = t.cast(schema)
                writer.write_table(t)
                if count:
                    _count(t.column(count), counts)
        if extra is not None and len(extra):
            t = _arrow_table(extra)
            if schema is None:
                schema = t.schema
                writer = pq.ParquetWriter(tmp, schema)
            writer.write_table(t.cast(schema))
            if count:
                _count(t.column(count), counts)
        if writer is None:          # nothing loaded: an empty table all the same
            writer = pq.ParquetWriter(tmp, pa.schema([]))
        writer.close()
        writer = None
        os.replace(tmp, dest)
    finally:
        if writer is not None:
            writer.close()
        if tmp.exists():
            tmp.unlink()
    return counts


def _count(col, counts: dict) -> None:
    import pyarrow.compute as pc
    vc = pc.value_counts(col)
    for v, n in zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist()):
        counts[v] = counts.get(v, 0) + n


def _cross_year_from(cells_path: Path, reports):
    """:func:`cross_year_findings` over the cells file one row group at a time (a row group holds whole
    reports): each is reduced by :func:`digest_cells`, so the cells table is never in memory."""
    import pandas as pd
    import pyarrow.parquet as pq
    cols = ["report_id", "table", "row_id", "column_id", "column", "value", "state", "raw", "start", "end"]
    labels = ["table", "row_id", "column_id", "column", "state", "raw"]
    f = pq.ParquetFile(cells_path, read_dictionary=labels)
    picked, digests = [], []
    for g in range(f.num_row_groups):
        cells = _cells_frame(f.read_row_group(g, columns=cols))
        if len(cells):
            p, d = digest_cells(cells)
            picked.append(p)
            digests.append(d)
        del cells
    if not digests:
        return pd.DataFrame(columns=["source"] + FINDING_COLUMNS)
    picked = _concat_categorical(picked)
    digest = pd.concat(digests, ignore_index=True)

    def cells_of(ids, tid):
        # Row group by row group: a filtered read of the whole file would hold every cell at once.
        import pyarrow as pa
        import pyarrow.compute as pc
        want = pa.array(sorted(ids), type=pa.int64())
        got = []
        for g in range(f.num_row_groups):
            t = f.read_row_group(g, columns=cols)
            t = t.filter(pc.and_(pc.is_in(t.column("report_id").cast(pa.int64()), value_set=want),
                                 pc.equal(t.column("table").cast(pa.string()), tid)))
            if t.num_rows:
                got.append(t)
        if not got:
            return _cells_frame(f.schema_arrow.empty_table().select(cols))
        return _cells_frame(pa.concat_tables(got, promote_options="permissive"))
    return cross_year_from_digests(reports, picked, digest, cells_of)


def _concat_categorical(frames):
    """Concatenate frames whose categorical columns have different categories, keeping them
    categorical (``pd.concat`` would turn them into one Python string per row)."""
    import pandas as pd
    from pandas.api.types import union_categoricals
    out = {}
    for c in frames[0].columns:
        if isinstance(frames[0][c].dtype, pd.CategoricalDtype):
            out[c] = union_categoricals([f[c] for f in frames], ignore_order=True)
        else:
            out[c] = pd.concat([f[c] for f in frames], ignore_index=True)
    return pd.DataFrame(out)


def _cells_frame(t):
    """An Arrow slice of the cells table as the frame the cross-year checks read."""
    cells = t.to_pandas()
    for c in ("table", "row_id", "column_id", "column", "state", "raw"):
        if c in cells and cells[c].dtype != "category":
            cells[c] = cells[c].astype("category")
    cells["value"] = cells["value"].astype("Float64")
    for c in ("start", "end"):
        cells[c] = cells[c].astype("Int64")
    return cells


__all__ = ["write_corpus", "TABLES"]
