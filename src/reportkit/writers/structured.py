"""The structured YAML/JSON export: reportkit's full report form of the plain page (exact values as table
cells, the original prose of every section, so ``load`` reads it back), plus the per-cell provenance
under the extra top-level key ``reconstruction`` (the loader ignores it)."""

from __future__ import annotations

import json

import yaml

from ..errors import ReportError
from ..load import parse_html
from ..model import Report
from ..readers.structured import to_dict
from ..reconstruct import Reconstruction
from .document import _Doc, _doc, _provenance_records
from .html import _page


def _plain_report(doc: _Doc, source: str) -> Report:
    """The report the plain page of ``doc`` reads to, checked cell by cell against ``doc``: an export
    that could not be read back to the same numbers raises instead of writing wrong ones."""
    rep = parse_html(_page(doc, visible=False), source)
    rep.kind = "structured"
    rep.title, rep.agency, rep.year = doc.title, doc.agency, doc.year
    if rep.format_version is None:
        # No table was written (nothing known): keep what the source report said about its format.
        rep.format_version = doc.report_format
    for (tid, rid, cid), e in doc.cells.items():
        tr = rep.tables.get(tid)
        got = tr.value(rid, cid) if tr is not None and tr.version == doc.version else None
        if got != e.value:
            raise ReportError(f"export would read back {tid}/{rid}/{cid} as {got!r}, not {e.value!r}; "
                              "nothing was written", source)
    return rep


def to_structured(rec: Reconstruction) -> dict:
    """The structured form of the reconstruction: reportkit's full report form (what ``load`` reads:
    exact values as table cells, unknown cells empty) plus ``reconstruction``: per-cell provenance,
    bounds, rules and evidence, and the original sections' states (ignored by the loader)."""
    doc = _doc(rec)
    d = to_dict(_plain_report(doc, doc.source))
    d["reconstruction"] = {
        "source": doc.source, "format": doc.version,
        "note": "per-cell provenance of the exported values; reportkit.load ignores this key",
        "sections": [{"number": s.number, "title": s.title, "status": s.status} for s in doc.sections],
        "cells": _provenance_records(doc),
    }
    return d


def dumps(d: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=1) + "\n"
    # The C emitter when libyaml is there: same YAML, several times faster on a whole report's text.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(d, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120)
