"""What every corpus table shares: the finding columns, the cell states, and the cross-report rules
(listed in ``data/rules.yaml`` under ``corpus_rules``, so ``reportkit rules`` shows them)."""

from __future__ import annotations

import functools

from ..check import FINDING_COLUMNS as _CHECK_COLUMNS
from ..format import read_data

FINDING_COLUMNS = list(_CHECK_COLUMNS)
STATES = ("value", "blank", "unreadable", "missing")
RULE_COLUMNS = ["id", "category", "severity", "basis", "origin", "description", "description_en"]


@functools.lru_cache(maxsize=1)
def _corpus_rules() -> tuple[dict, ...]:
    raw = read_data("rules.yaml")
    return tuple(raw["corpus_rules"])


def rules() -> pd.DataFrame:
    """The cross-report rules, in the columns of :func:`reportkit.check.rules`."""
    import pandas as pd
    return pd.DataFrame([{c: r[c] for c in RULE_COLUMNS} for r in _corpus_rules()], columns=RULE_COLUMNS)


def finding(source, rule, section, table, row, column, message, message_en, start, end, evidence,
             origin="undetermined", severity="warning", basis="convention") -> dict:
    return {"source": source, "rule": rule, "severity": severity, "section": section, "table": table,
            "row": row, "column": column, "message": message, "message_en": message_en, "origin": origin,
            "basis": basis, "start": start, "end": end, "evidence": evidence}
