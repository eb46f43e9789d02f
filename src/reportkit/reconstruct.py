"""Rebuild the official structure of a report, every cell with its value (or bounds) and provenance.

Provenance of a cell:

* ``stated-table``  read from the report's own table;
* ``stated-prose``  a sentence of the report says it (e.g. "未收到依申请公开政府信息" → 本年新收 = 0);
* ``inferred``      forced by the format's identities from other known cells (the rule is named);
* ``unknown``       nothing in the text says it and no rule forces it (bounds may still be known).

A value is exact only when the text or the constraints force it: never a number without a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .format import TABLE_IDS, spec
from .model import Report

PROVENANCES = ("stated-table", "stated-prose", "inferred", "unknown")


@dataclass
class CellEstimate:
    table: str
    row: str                                # row id
    column: str                             # column id
    value: int | float | None = None
    low: int | float | None = None
    high: int | float | None = None
    provenance: str = "unknown"
    rule: str | None = None
    evidence: list[dict] = field(default_factory=list)     # [{"start", "end", "text"}]
    uses: list[tuple[str, str, str]] = field(default_factory=list)  # cells an inference used

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass
class SectionState:
    number: int
    title: str
    status: str             # "present", "empty" or "missing"
    text: str               # the body as written ("" when empty or missing)


@dataclass
class Reconstruction:
    report: Report
    version: str
    cells: dict[tuple[str, str, str], CellEstimate]
    sections: list[SectionState]

    def cell(self, table: str, row: str, column: str) -> CellEstimate:
        return self.cells[(table, row, column)]

    def frame(self, table: str) -> pd.DataFrame:
        """Values in the official layout (NA where not known exactly), like ``Report.frame``."""
        from .model import Cell, TableRead
        tr = TableRead(table=table, version=self.version, found=True)
        for (tid, r, c), est in self.cells.items():
            if tid == table and est.value is not None:
                tr.cells[(r, c)] = Cell(tid, r, c, est.value, "value")
        return tr.frame()

    def cells_frame(self) -> pd.DataFrame:
        """One row per cell: table, row/column ids and labels, value, bounds, provenance, rule, evidence."""
        rows = []
        for (tid, rid, cid), e in self.cells.items():
            t = spec().table(tid, self.version)
            rows.append({"table": tid, "row_id": rid, "row": t.row(rid).label, "column_id": cid,
                         "column": t.column(cid).name, "value": e.value, "low": e.low, "high": e.high,
                         "provenance": e.provenance, "rule": e.rule,
                         "evidence": " / ".join(x["text"] for x in e.evidence)})
        return pd.DataFrame(rows)

    def to_json(self) -> dict:
        """The JSON contract of ``reportkit reconstruct --json``."""
        out = []
        for (tid, rid, cid), e in self.cells.items():
            t = spec().table(tid, self.version)
            out.append({"table": tid, "row": t.row(rid).label, "column": t.column(cid).name,
                        "value": e.value, "low": e.low, "high": e.high, "provenance": e.provenance,
                        "rule": e.rule, "evidence": e.evidence})
        return {"source": self.report.source, "format": self.version,
                "sections": [vars(s) for s in self.sections], "cells": out}


def reconstruct(report: Report) -> Reconstruction:
    """Every section and every cell of the three tables, with provenance (see module docstring)."""
    version = report.format_version or "2021"
    cells: dict[tuple[str, str, str], CellEstimate] = {}
    for tid in TABLE_IDS:
        t = spec().table(tid, version)
        tr = report.tables.get(tid)
        for rid, cid in t.cells:
            est = CellEstimate(tid, rid, cid)
            if tr is not None and tr.version == version:
                c = tr.cells.get((rid, cid))
                if c is not None and c.state == "value":
                    est.value = est.low = est.high = c.value
                    est.provenance = "stated-table"
                    est.evidence = [{"start": c.start, "end": c.end, "text": report.text[c.start:c.end]}]
            if est.value is None and not t.column(cid).signed:
                est.low = 0
            cells[(tid, rid, cid)] = est
    sections = []
    for s in report.sections:
        status = "missing" if not s.present else ("empty" if s.is_empty(report.text) else "present")
        sections.append(SectionState(s.number, s.title, status, s.body(report.text).strip() if s.present else ""))
    return Reconstruction(report=report, version=version, cells=cells, sections=sections)
