"""The hand-checked facts of the real corpus (``data/corpus/**/*.json``) as table cells.

Fact keys name a cell in words (``t3_三_四_1_不掌握_总计``, ``t4_行政诉讼_复议后起诉_总计``,
``t2_行政规范性文件_现行有效件数``) or a whole row block (``t4_行政复议``: ``"25|3|8|0|36"``); this module
resolves them against the format (``reportkit.format.spec()``), so no label is typed here.
"""

from __future__ import annotations

import re

from reportkit.format import label_key, spec

_NUMERALS = "一二三四五六七八九十"
_TABLE = {"t2": "proactive", "t3": "requests", "t4": "appeals"}


def _values(v):
    if isinstance(v, str):
        return [None if x.strip() in ("", "null") else float(x) for x in v.split("|")]
    return [v]


def _abbreviates(word: str, label: str) -> bool:
    """``逾期未缴费`` names 申请人逾期未按收费通知要求缴纳费用…: its characters appear in order."""
    it = iter(label)
    return all(ch in it for ch in word)


def fact_cells(key: str, value, version: str) -> list[tuple[str, str, str, float | None]]:
    """(table id, row id, column id, expected value or None for a blank) for one fact."""
    tid = _TABLE[key[:2]]
    t = spec().table(tid, version)
    parts = key.split("_")[1:]
    vals = _values(value)
    if tid == "appeals":
        row = t.data_rows[0].id
        if len(vals) > 1:
            group = [c for c in t.columns if all(p in c.path for p in parts)]
            assert len(group) == len(vals), key
            return [(tid, row, c.id, v) for c, v in zip(group, vals)]
        path = "/".join(parts)
        cols = [c for c in t.columns if c.name == path or c.name.endswith("/" + path)]
        assert len(cols) == 1, key
        return [(tid, row, cols[0].id, vals[0])]
    if tid == "proactive":
        rows = [r for r in t.data_rows if label_key(parts[0]) in r.keys]
        assert len(rows) == 1, key
        cols = t.columns_for(rows[0].id)
        if len(vals) > 1:
            assert len(cols) == len(vals), key
            return [(tid, rows[0].id, c.id, v) for c, v in zip(cols, vals)]
        if len(cols) > 1 or len(parts) > 1:
            cols = [c for c in cols if label_key(parts[-1]) in label_key(c.label)]
        if not cols:        # a 2021 column named for a report in the 2019 format: not applicable
            return []
        assert len(cols) == 1, key
        return [(tid, rows[0].id, cols[0].id, vals[0])]
    col_word, row_words = parts[-1], parts[:-1]
    words = [w for w in row_words if w not in _NUMERALS and not w.isdigit()]
    digits = [w for w in row_words if w.isdigit()]
    if row_words[:2] == ["三", "七"]:
        rows = [r for r in t.data_rows if r.id == "results_total"]
    else:
        rows = [r for r in t.data_rows if all(_abbreviates(w, r.label) for w in words)
                and all(re.match(rf"^{d}[.．]", r.label) for d in digits)]
    cols = [c for c in t.columns if c.label == col_word]
    assert len(rows) == 1 and len(cols) == 1, key
    return [(tid, rows[0].id, cols[0].id, vals[0])]
