"""Cross-year checks: findings that need two consecutive years of one agency (rules ``carry_over_mismatch``,
``stock_mismatch``, ``stale_table``, listed in ``data/rules.yaml`` under ``corpus_rules``)."""

from __future__ import annotations

import math


from ..format import TABLE_IDS, row_name, spec
from ..text import num_text
from .findings import FINDING_COLUMNS, STATES, finding

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


def cross_year_findings(corpus) -> pd.DataFrame:
    """Findings that need two years of one agency (rules ``carry_over_mismatch``, ``stock_mismatch``,
    ``stale_table``; see :func:`rules`). Each is reported on the later report, with the earlier one
    named in the message. Only cells whose numbers were read on both sides are compared."""
    import pandas as pd
    pairs = _year_pairs(corpus.reports)
    cols = ["source"] + FINDING_COLUMNS
    if pairs.empty or corpus.cells.empty:
        return pd.DataFrame(columns=cols)
    cells = corpus.cells
    out = _carry_over(cells, pairs) + _stock(cells, pairs) + _stale(cells, pairs)
    return pd.DataFrame(out, columns=cols)


def _pick(cells: pd.DataFrame, table: str, row_ids: tuple[str, ...]) -> pd.DataFrame:
    """The value cells of some rows of one table."""
    import pandas as pd
    m = (cells["table"] == table) & cells["row_id"].isin(row_ids) & (cells["state"] == "value")
    sub = cells.loc[m, ["report_id", "row_id", "column_id", "column", "value", "raw", "start", "end"]]
    # Labels stay categorical (one Python string per row is most of the memory at 10⁵ reports); the
    # carried-in and carried-out rows come from one frame, so their categories match when merged.
    for c in ("row_id", "column_id", "column"):
        sub[c] = (sub[c].cat.remove_unused_categories() if isinstance(sub[c].dtype, pd.CategoricalDtype)
                  else sub[c].astype(str))
    return sub.astype({"value": "float64"})


def _evidence(raw, value) -> str:
    return raw if isinstance(raw, str) else num_text(value)


def _carry_over(cells: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    t = spec().table("requests")
    sub = _pick(cells, "requests", ("carried_in", "carried_out"))
    ci = sub[sub["row_id"] == "carried_in"]
    co = sub.loc[sub["row_id"] == "carried_out", ["report_id", "column_id", "value"]]
    co = co.rename(columns={"report_id": "report_id_prev", "value": "value_prev"})
    m = pairs.merge(ci, on="report_id").merge(co, on=["report_id_prev", "column_id"])
    out = []
    for r in m[m["value"] != m["value_prev"]].itertuples(index=False):
        out.append(finding(
            r.source, "carry_over_mismatch", 3, "requests", "carried_in", r.column_id,
            f"{row_name(t, 'carried_in')}（{r.column}）为{num_text(r.value)}，而上年报告（{r.source_prev}）"
            f"的{row_name(t, 'carried_out')}为{num_text(r.value_prev)}。按惯例两者应相等；这是惯例而非格式规定，撤回、更正等可使其不同。",
            f"Carried over from last year ({r.column}) is {num_text(r.value)}, but last year's report "
            f"({r.source_prev}) carried {num_text(r.value_prev)} forward. By convention (not a rule of the format) "
            f"they are equal; withdrawals or corrections can make them differ.",
            _int(r.start), _int(r.end), _evidence(r.raw, r.value)))
    return out


def _stock(cells: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    t = spec().table("proactive")
    sub = _pick(cells, "proactive", ("regulations", "normative_documents"))
    sub = sub[sub["column_id"].isin(["issued", "repealed", "in_force"])]
    if sub.empty:
        return []
    wide = sub.pivot_table(index=["report_id", "row_id"], columns="column_id", values="value",
                           aggfunc="first", observed=True).reset_index()
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
        label = t.row(r.row_id).label
        cell = where.loc[(r.report_id, r.row_id)]
        out.append(finding(
            r.source, "stock_mismatch", 2, "proactive", r.row_id, "in_force",
            f"{label}{t.column('in_force').label}为{num_text(r.in_force)}，而上年报告（{r.source_prev}）的"
            f"{t.column('in_force').label}{num_text(r.in_force_prev)}加{t.column('issued').label}{num_text(r.issued)}"
            f"减{t.column('repealed').label}{num_text(r.repealed)}为{num_text(r.expected)}。这是合理性检查，不是规定："
            f"存量可能重新清点，或含修订、移交的文件。",
            f"{label} in force is {num_text(r.in_force)}, but last year's stock ({r.source_prev}) "
            f"{num_text(r.in_force_prev)} + issued {num_text(r.issued)} − repealed {num_text(r.repealed)} = {num_text(r.expected)}. "
            f"A plausibility check, not a rule: the stock may have been recounted.",
            _int(cell["start"]), _int(cell["end"]), _evidence(cell["raw"], r.in_force)))
    return out


def _cell_hash(row, col, state, value, is_value):
    """A 64-bit hash of each cell's (row, column, state, value), well mixed (SplitMix64's finaliser), so
    that the plain sum over a table's cells is an order-free fingerprint of the table."""
    import numpy as np
    with np.errstate(over="ignore"):
        h = row * np.uint64(4096) + col
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= state << np.uint64(56)
        h ^= np.where(is_value, value, 0.0).view(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(29)
    return h


def _stale(cells: pd.DataFrame, pairs: pd.DataFrame) -> list[dict]:
    """Tables whose every cell (number or not) equals last year's, with enough non-zero flow cells.

    Each (report, table) gets an order-free 64-bit fingerprint of its (cell, state, value) triples, so
    the comparison of thousands of pairs is a few array operations; candidate hits are then compared
    cell by cell."""
    import numpy as np
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
        h = _cell_hash(sub["row_id"].cat.codes.to_numpy().astype(np.uint64), col.astype(np.uint64), state,
                       value, is_value)
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
            out.append(finding(
                r.source, "stale_table", section, tid, None, None,
                f"{title}的表格中{nv}个数字与上年报告（{r.source_prev}）完全相同且不全为0：数据可能没有更新。",
                f"All {nv} numbers of the table of section {section} equal last year's report ({r.source_prev}) "
                f"and are not all zero: the data may not have been updated.",
                _int(cells.loc[ta.index, "start"].min()), _int(cells.loc[ta.index, "end"].max()),
                f"{nv} 个数字与 {r.source_prev} 相同"))
    return out


def _int(v):
    import pandas as pd
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else int(v)


# ---------------------------------------------------------------------------------------------------
# The same checks over cells that never sit in memory together (a streamed run reads them back one row
# group at a time): each group is reduced to the few rows the carry-over and stock checks compare and
# to one fingerprint per (report, table); only the tables whose fingerprints match are read again.

_COMPARED_ROWS = ("carried_in", "carried_out", "regulations", "normative_documents")


def _label_hashes(labels) -> np.ndarray:
    """A 64-bit hash of each label that does not depend on category order (row groups differ in it)."""
    import hashlib
    import numpy as np
    return np.array([int.from_bytes(hashlib.blake2b(str(x).encode("utf-8"), digest_size=8).digest(), "little")
                     for x in labels], dtype=np.uint64)


def digest_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the value cells of the rows the carry-over and stock checks compare, one fingerprint row per
    (report, table): ``fp`` (order-free hash of every (row, column, state, value)), ``n_vals``, ``flows``,
    ``start``, ``end``). Reports must not be split across calls."""
    import numpy as np
    import pandas as pd
    keep = cells["row_id"].isin(_COMPARED_ROWS) & (cells["state"] == "value")
    picked = cells.loc[keep, ["report_id", "table", "row_id", "column_id", "column", "value", "state", "raw",
                              "start", "end"]]
    # Labels stay categorical (a few bytes a row): these rows are kept for the whole corpus.
    for c in ("table", "row_id", "column_id", "column", "state", "raw"):
        picked[c] = picked[c].astype("category").cat.remove_unused_categories()
    rid = cells["report_id"].to_numpy(np.int64)
    tab = cells["table"].astype(str).to_numpy()
    row_h = _label_hashes(cells["row_id"].cat.categories)[cells["row_id"].cat.codes.to_numpy()]
    col_labels = cells["column_id"].cat.categories
    col_h = _label_hashes(col_labels)[cells["column_id"].cat.codes.to_numpy()]
    state = cells["state"].astype(str).to_numpy()
    state_code = np.array([STATES.index(s) for s in STATES], np.uint64)[
        pd.Categorical(state, categories=list(STATES)).codes]
    value = cells["value"].to_numpy(dtype="float64", na_value=np.nan)
    is_value = state == "value"
    in_force = cells["column_id"].astype(str).to_numpy() == "in_force"
    h = _cell_hash(row_h, col_h, state_code, value, is_value)
    key, inv = np.unique(np.stack([rid, pd.factorize(tab)[0]], axis=1), axis=0, return_inverse=True)
    inv = inv.ravel()
    fp = np.zeros(len(key), np.uint64)
    np.add.at(fp, inv, h)
    start = cells["start"].to_numpy(dtype="float64", na_value=np.nan)
    end = cells["end"].to_numpy(dtype="float64", na_value=np.nan)
    first = np.zeros(len(key), np.int64)
    first[inv[::-1]] = np.arange(len(inv))[::-1]
    dg = pd.DataFrame({"report_id": key[:, 0], "table": tab[first], "fp": fp,
                       "n_vals": np.bincount(inv, weights=is_value, minlength=len(key)),
                       "flows": np.bincount(inv, weights=is_value & (value != 0) & ~in_force, minlength=len(key)),
                       "start": pd.Series(start).groupby(inv).min().to_numpy(),
                       "end": pd.Series(end).groupby(inv).max().to_numpy()})
    return picked, dg


def cross_year_from_digests(reports: pd.DataFrame, picked: pd.DataFrame, digest: pd.DataFrame,
                            cells_of) -> pd.DataFrame:
    """:func:`cross_year_findings` from :func:`digest_cells` of every row group; ``cells_of(report_ids,
    table)`` reads those reports' cells of one table (to rule out a fingerprint collision)."""
    import pandas as pd
    pairs = _year_pairs(reports)
    cols = ["source"] + FINDING_COLUMNS
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    out = []
    if len(picked):
        out += _carry_over(picked, pairs) + _stock(picked, pairs)
    for tid in TABLE_IDS:
        d = digest[digest["table"] == tid].set_index("report_id")
        if d.empty:
            continue
        m = pairs[pairs["report_id"].isin(d.index) & pairs["report_id_prev"].isin(d.index)]
        if m.empty:
            continue
        a, b = d.loc[m["report_id"]], d.loc[m["report_id_prev"]]
        required = len(spec().table(tid).cells)
        hit = ((a["fp"].to_numpy() == b["fp"].to_numpy()) & (a["n_vals"].to_numpy() >= 0.8 * required)
               & (a["flows"].to_numpy() >= 2))
        if not hit.any():
            continue
        section = spec().section_for_table(tid).number
        title = spec().section(section).title
        hits = m[hit]
        cells = cells_of(sorted(set(hits["report_id"]) | set(hits["report_id_prev"])), tid)
        for r in hits.itertuples(index=False):
            ta = cells[cells["report_id"] == r.report_id]
            tb = cells[cells["report_id"] == r.report_id_prev]
            key = ["row_id", "column_id", "state"]
            ka = set(zip(*(ta[k].astype(str) for k in key), ta["value"].astype("float64").fillna(-1)))
            kb = set(zip(*(tb[k].astype(str) for k in key), tb["value"].astype("float64").fillna(-1)))
            if ka != kb:
                continue
            nv = int(d.loc[r.report_id, "n_vals"])
            out.append(finding(
                r.source, "stale_table", section, tid, None, None,
                f"{title}的表格中{nv}个数字与上年报告（{r.source_prev}）完全相同且不全为0：数据可能没有更新。",
                f"All {nv} numbers of the table of section {section} equal last year's report ({r.source_prev}) "
                f"and are not all zero: the data may not have been updated.",
                _int(d.loc[r.report_id, "start"]), _int(d.loc[r.report_id, "end"]),
                f"{nv} 个数字与 {r.source_prev} 相同"))
    return pd.DataFrame(out, columns=cols)
