"""The official grid of reportkit.layout, built from format.yaml, which every writer prints."""

from __future__ import annotations

import pytest

from reportkit.format import TABLE_IDS, VERSIONS, spec
from reportkit.layout import full_grid, grid, html_table

TABLES = [(tid, v) for v in VERSIONS for tid in TABLE_IDS]


@pytest.mark.parametrize("tid,version", TABLES)
def test_every_cell_the_format_requires_has_one_place_in_the_grid(tid, version):
    t = spec().table(tid, version)
    keys = [c.key for c in grid(t).cells if c.key is not None]
    assert sorted(keys) == sorted(t.cells)


@pytest.mark.parametrize("tid,version", TABLES)
def test_the_full_grid_covers_its_rectangle_exactly_once(tid, version):
    g = full_grid(spec().table(tid, version))
    covered = [(c.row + dr, c.col + dc) for c in g.cells for dr in range(c.rowspan) for dc in range(c.colspan)]
    assert sorted(covered) == sorted((r, c) for r in range(g.n_rows) for c in range(g.n_cols))


def test_header_cells_come_from_the_format():
    t = spec().table("requests")
    first = grid(t).rows[0]
    # the corner spans the row-label columns and every header row; 申请人情况 spans every value column
    assert (first[0].text, first[0].rowspan, first[0].colspan) == (t.corner, 3, 3)
    assert (first[1].text, first[1].colspan) == (t.columns[0].path[0], len(t.columns))
    appeals = spec().table("appeals")
    tops = [(c.text, c.colspan) for c in grid(appeals).rows[0]]
    review, suits = (appeals.column(c).path[0] for c in ("review_total", "direct_suit_total"))
    assert tops == [(review, 5), (suits, 10)]


def test_html_table_escapes_what_it_is_given():
    t = spec().table("appeals")
    page = html_table(t, {("cases", "review_total"): "<script>"})
    assert "<script>" not in page and "&lt;script&gt;" in page
