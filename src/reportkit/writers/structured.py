"""The structured YAML/JSON export, written from the reconstruction: reportkit's authored report form
(title, agency, year, format, the prose of every section, every cell of the three tables with its exact
value or nothing), which ``load`` prints in the official layout and reads back to the same numbers, plus
the per-cell provenance under the extra top-level key ``reconstruction``. The loader reads from it only
each cell's value, provenance and rule: a cell exported as derived (inferred, or stated in the prose)
that still holds its exported value is derived again, not taken as stated; a changed value is an edit
(:func:`reportkit.readers.structured.restore_provenance`)."""

from __future__ import annotations

import json

from ..format import spec
from ..reconstruct import Reconstruction
from .document import _Doc, _doc, _provenance_records, as_loaded

# The layout the loader prints the tables in: HTML keeps an unknown cell as an empty cell, where a
# text layout would drop it and lose the row.
LAYOUT = "html"


def _tables(doc: _Doc) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for (tid, rid, cid), e in doc.cells.items():
        out.setdefault(tid, []).append({"row": rid, "column": cid, "value": e.value})
    return out


def authored(doc: _Doc) -> dict:
    """The authored form of ``doc``. A table is printed only where the source printed its section with
    something in it, so a section that was empty reads back empty and a missing one (left out) reads
    back missing: re-checking an export finds the source's gaps again. The values of such a table
    that were inferred from the prose are inferred again from the same prose; all of them stay under
    ``reconstruction``."""
    tables = _tables(doc)
    d: dict = {"title": doc.title, "agency": doc.agency, "year": doc.year, "format": doc.version,
               "layout": LAYOUT, "intro": as_loaded(doc.intro), "sections": {}, "omit_sections": [], "tables": {}}
    for sec in doc.sections:
        tid = spec().section(sec.number).table
        has_table = bool(tid) and sec.status == "present"
        if sec.status == "missing":
            d["omit_sections"].append(sec.number)
            continue
        d["sections"][sec.number] = as_loaded(sec.text)
        if has_table:
            d["tables"][tid] = tables.get(tid, [])
    return d


def to_structured(rec: Reconstruction) -> dict:
    """The structured form of the reconstruction: the authored report form ``load`` reads (exact values
    as table cells, unknown cells empty) plus ``reconstruction``: per-cell provenance, bounds, rules and
    evidence, and the original sections' states (ignored by the loader)."""
    doc = _doc(rec)
    d = authored(doc)
    d["reconstruction"] = {
        "source": doc.source, "format": doc.version, "report_format": doc.report_format,
        "note": "per-cell provenance of the exported values; reportkit.load reads value, provenance and rule "
                "to keep a derived cell derived unless its value was edited",
        "sections": [{"number": s.number, "title": s.title, "status": s.status} for s in doc.sections],
        "cells": _provenance_records(doc),
    }
    return d


def dumps(d: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=1) + "\n"
    import yaml
    # The C emitter when libyaml is there: same YAML, several times faster on a whole report's text.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(d, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120)
