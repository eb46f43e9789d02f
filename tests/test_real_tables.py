"""Real reports against their hand-checked facts: no recorded cell is ever read wrong.

Every report in data/corpus/complete/ and data/corpus/html/ (copied from shared/corpus with its .json)
is loaded and each recorded cell compared with what the loader returns. A cell is either read right,
or not read (unreadable / missing) with a stated reason: a wrong number is worse than a missing one.
Fact keys follow shared/corpus/README.md (``t3_一_本年新收_总计``); the html facts also record whole
rows (``t2_行政规范性文件: "58|45|546"``, ``t4_行政复议: "25|3|8|0|36"``), which are checked cell by cell.
"""

from __future__ import annotations

import json
import re

import pytest

import reportkit as rk
from reportkit import paths
from reportkit.format import label_key, spec

NUMERALS = "一二三四五六七八九十"
TABLE = {"t2": "proactive", "t3": "requests", "t4": "appeals"}
REAL = sorted(p for sub in ("complete", "html") for p in (paths.CORPUS / sub).glob("*")
              if p.suffix in (".txt", ".html") and p.with_suffix(".json").exists())
IDS = [str(p.relative_to(paths.CORPUS)) for p in REAL]


def _norm(s):
    return re.sub(r"\s+", "", (s or "").replace("(", "（").replace(")", "）"))


def _cells(rep):
    """(table, row label, column name) → (state, value, note) for every cell the loader returned."""
    out = {}
    for tid, tr in rep.tables.items():
        if tr is None:
            continue
        t = spec().table(tid, tr.version)
        for (rid, cid), c in tr.cells.items():
            out[(tid, _norm(t.row(rid).label), _norm(t.column(cid).name))] = (c.state, c.value, c.note)
    return out


def _find(key, cells):
    """The cells a fact key names (as shared/tools/score-cells resolves them), in column order."""
    parts = key.split("_")
    tab, rest = TABLE[parts[0]], parts[1:]
    mine = [(k, v) for k, v in cells.items() if k[0] == tab]
    if parts[0] == "t4":
        path = "/".join(rest)
        hits = [v for k, v in mine if k[2] == path or k[2].endswith("/" + path)]
        if not hits:      # a whole group: t4_行政复议 → its five result columns
            hits = [v for k, v in mine if f"/{rest[-1]}/" in f"/{k[2]}"]
        return hits
    if parts[0] == "t2" and len(rest) == 1:   # a whole row: t2_规章 → its three columns
        return [v for k, v in mine if label_key(k[1]).endswith(label_key(rest[0]))]
    col = rest[-1]
    words = [w for w in rest[:-1] if w not in NUMERALS and not w.isdigit()]
    digits = [w for w in rest[:-1] if w.isdigit()]
    if rest[:2] == ["三", "七"] or words == ["总计"]:
        rowok = lambda r: "总计" in r and "七" in r
    else:
        rowok = lambda r: all(w in r for w in words) and all(re.match(rf"^{d}[.．、]", r) for d in digits)
    colok = lambda c: (c == col or c.replace("本年", "") == col.replace("本年", "") or c.endswith("/" + col)
                       or parts[0] == "t2" and col in c)
    return [v for k, v in mine if rowok(k[1]) and colok(k[2])]


def _facts(path):
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return {k: v for k, v in (meta.get("facts") or {}).items() if v is not None and k[:2] in TABLE}


def _compare(path):
    """(right, wrong, unread) lists of fact keys for one report."""
    rep = rk.load(path)
    cells = _cells(rep)
    right, wrong, unread = [], [], []
    for key, want in _facts(path).items():
        wants = [float(x) for x in str(want).split("|")]
        hits = _find(key, cells)
        if len(hits) != len(wants):
            unread.append((key, "absent" if not hits else f"{len(hits)} cells"))
            continue
        for (state, value, note), w in zip(hits, wants):
            if state != "value":
                unread.append((key, f"{state}: {note}"))
            elif float(value) != w:
                wrong.append((key, value, w))
            else:
                right.append(key)
    return rep, right, wrong, unread


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_no_recorded_cell_is_read_wrong(path):
    _, right, wrong, unread = _compare(path)
    assert not wrong, f"{path.name}: read wrong {wrong}"


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_every_unread_recorded_cell_states_why(path):
    rep, _, _, unread = _compare(path)
    for key, why in unread:
        assert why != "absent" or rep is not None
        if why.startswith(("unreadable", "missing")):
            assert why.split(": ", 1)[1] not in ("None", ""), f"{path.name} {key}: no reason given"


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_sections_still_partition_the_text(path):
    rep = rk.load(path)
    pos = 0
    for s, e in rep.spans():
        assert s == pos, (path.name, s, pos)
        pos = e
    assert pos == len(rep.text)


HTML_TWINS = [p for p in REAL if p.suffix == ".html"
              and json.loads(p.with_suffix(".json").read_text(encoding="utf-8")).get("text_twin")]


@pytest.mark.parametrize("path", HTML_TWINS, ids=[p.name for p in HTML_TWINS])
def test_web_page_agrees_with_its_text_twin(path):
    twin = paths.CORPUS / json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["text_twin"]
    page, text = _cells(rk.load(path)), _cells(rk.load(twin))
    both = [k for k in page if k in text and page[k][0] == "value" and text[k][0] == "value"]
    assert both, "the text twin should share some readable cells"
    assert [(k, page[k][1], text[k][1]) for k in both if page[k][1] != text[k][1]] == []
