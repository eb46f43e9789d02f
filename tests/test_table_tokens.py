"""The lean table path (issue 14): one regex pass per region, plain tuples, cells stored as fields and
built on first read. Each shortcut is pinned against the general reading it stands in for, on the real
reports of data/corpus and on hostile strings: the shortcut may only be faster, never read otherwise."""

from __future__ import annotations

import pickle
import random
import re

import pytest

from reportkit import paths, tables
from reportkit.format import label_key, spec
from reportkit.model import Cell, TableRead
from reportkit.text import Folded

REAL_TEXTS = sorted([paths.SEED_TEXT, *paths.CORPUS.glob("*.txt"), *(paths.CORPUS / "complete").glob("*.txt")])


def _word_by_word(folded: Folded, start: int, end: int) -> list[tuple]:
    """The general reading: every piece between "|" and line breaks read word by word."""
    out: list[tuple] = []
    marks = spec().blank_marks
    for m in re.finditer(r"[^|\n\r]+", folded.text[:end]):
        if m.end() <= start:
            continue
        s = max(m.start(), start)
        tables._piece_tokens(folded.text, s, folded.text[s:m.end()], marks, folded.orig, folded.orig_end, out)
    return out


def _regions(text: str, rng: random.Random, n: int = 12):
    folded = Folded(text)
    size = len(folded.text)
    yield folded, 0, size
    for _ in range(n):
        a = rng.randrange(size + 1)
        yield folded, a, min(size, a + rng.randint(0, 3000))


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_the_one_pass_tokenizer_reads_real_reports_as_the_word_by_word_reading_does(path):
    rng = random.Random(path.name)
    for folded, a, b in _regions(path.read_text(encoding="utf-8"), rng):
        assert tables.tokenize(folded, a, b) == _word_by_word(folded, a, b)


def test_the_one_pass_tokenizer_reads_hostile_strings_as_the_word_by_word_reading_does():
    # Separators of every kind, marks, enumerators with and without their label, Unicode digits and
    # footnote markers (which make folding change offsets), thousands separators, glued units.
    alphabet = [*"0123456789 |\n\r\t\u3000\x0b\x1c,.、/—无-元件()一二予以公开其他总计x٣①½\u200b*#", "1.", "2、",
                "  ", "12", "1,234", " / ", "(一)", "3.其他", "00", "万元"]
    rng = random.Random(14)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        folded = Folded(text)
        a = rng.randint(0, len(folded.text))
        b = rng.randint(a, len(folded.text))
        assert tables.tokenize(folded, a, b) == _word_by_word(folded, a, b), repr(text)


def test_a_token_is_a_tuple_laid_out_like_token():
    folded = Folded("(一)予以公开 | 5 | / | 1.属于国家秘密 | 0\n")
    toks = tables.tokenize(folded, 0, len(folded.text))
    assert [tables.Token._make(t).kind for t in toks] == ["label", "num", "mark", "label", "num"]
    assert [t[1] for t in toks] == ["(一)予以公开", "5", "/", "1.属于国家秘密", "0"]
    assert all(folded.text[t[2]:t[3]] == t[1] for t in toks)


def test_version_markers_are_found_with_spaces_and_punctuation_between_their_characters():
    assert tables.detect_version(Folded("本年 制发、件数 | 3").text) == "2021"
    assert tables.detect_version(Folded("本年新制作数量 3").text) == "2019"
    assert tables.detect_version(Folded("本年新收政府信息公开申请数量").text) is None


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_version_detection_agrees_with_the_label_key_of_the_whole_region(path):
    markers = spec().version_markers
    rng = random.Random(path.name)
    for folded, a, b in _regions(path.read_text(encoding="utf-8"), rng):
        key = label_key(folded.text[a:b])
        has19, has21 = (any(m in key for m in markers[v]) for v in ("2019", "2021"))
        expected = "2019" if has19 and not has21 else "2021" if has21 else None
        assert tables.detect_version(folded.text[a:b]) == expected


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_cells_built_on_first_read_agree_with_what_the_reader_answered_before(path):
    folded = Folded(path.read_text(encoding="utf-8"))
    for tid in ("proactive", "requests", "appeals"):
        tr = tables.read_table(tid, folded, 0, len(folded.text))
        keys = list(tr.store())
        before = {k: (tr.value(*k), tr.state(*k)) for k in keys}
        span, has_cells, has_numbers = tr.cells_span(), tr.has_cells, tr.has_numbers
        copy = pickle.loads(pickle.dumps(tr))
        cells = tr.cells
        assert list(cells) == keys
        assert all(isinstance(c, Cell) and (c.table, c.row, c.column) == (tid, *k) for k, c in cells.items())
        assert before == {k: (c.value if c.state == "value" else None, c.state) for k, c in cells.items()}
        spans = [(c.start, c.end) for c in cells.values() if c.start is not None]
        assert span == ((min(s for s, _ in spans), max(e for _, e in spans)) if spans else None)
        assert (has_cells, has_numbers) == (bool(cells), any(c.state == "value" for c in cells.values()))
        assert copy == tr


def test_a_table_read_stores_fields_until_its_cells_are_read():
    tr = TableRead("requests", "2021", True)
    tr.store()[("new", "total")] = (5, "value", "5", 10, 11, None, "stated", None, None)
    tr.store()[("carried", "total")] = Cell("requests", "carried", "total", None, "blank", "/", 12, 13)
    assert (tr.value("new", "total"), tr.state("carried", "total"), tr.state("x", "y")) == (5, "blank", "missing")
    assert tr.has_cells and tr.has_numbers and tr.cells_span() == (10, 13)
    copy = pickle.loads(pickle.dumps(tr))
    assert tr.cells[("new", "total")] == Cell("requests", "new", "total", 5, "value", "5", 10, 11, how="stated")
    assert tr.store() is tr.cells       # once read, the Cells are what a reader writes into
    tr.store()[("kept", "total")] = Cell("requests", "kept", "total", 1, "value")
    assert list(tr.cells) == [("new", "total"), ("carried", "total"), ("kept", "total")]
    assert copy.cells == {k: v for k, v in tr.cells.items() if k != ("kept", "total")}
    given = TableRead("requests", "2021", True, cells={("new", "total"): Cell("requests", "new", "total", 1, "value")})
    assert given.store() is given.cells and given.value("new", "total") == 1
