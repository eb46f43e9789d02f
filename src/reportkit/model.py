"""The data model: a loaded report, its sections, its tables and the numbers its prose states.

Spans (``start``/``end``) always index the original text (``Report.text``), so evidence can be quoted
exactly. A table cell has one of four states:

* ``value``      a number was read;
* ``blank``      the cell exists but holds nothing or a mark such as ``/``, ``—``, ``无`` (value is NA);
* ``unreadable`` the text has the row but its cells cannot be told apart (run together, wrong count);
* ``missing``    the table or row is not in the text at all.

Only ``value`` cells carry a number; a blank is never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .format import spec

CELL_STATES = ("value", "blank", "unreadable", "missing")

# The words an analyst reads for a section's state and a cell's provenance (workbooks, Word, notes),
# kept here, below the readers and the writers, because an exported workbook is read back too: the
# reader accepts these words and the English ids that older workbooks hold.
SECTION_STATUS_WORDS = {"present": "有内容", "empty": "仅有标题", "missing": "缺少此部分"}
PROVENANCE_WORDS = {"stated-table": "报告表格所载", "stated-prose": "报告正文所述",
                    "inferred": "根据勾稽关系推算", "unknown": "未知"}


@dataclass
class Section:
    number: int
    title: str                  # the official title
    heading: str | None         # the heading as written (original text), None when not found
    start: int                  # span of the whole section, heading included
    end: int
    body_start: int             # where the text after the heading starts
    present: bool
    # The numeral printed when the heading was found by its title under another number ("一、主动公开政府
    # 信息情况" for section 二): a slip to report once, not a missing section.
    numbered_as: int | None = None
    # The text ends right after this heading (or before this section): a cut-off capture, not an empty
    # or missing section.
    truncated: bool = False
    # A later heading with this section's title under another numeral (an annex holding the table).
    annex_start: int | None = None
    annex_end: int | None = None

    @property
    def id(self) -> str:
        return spec().section(self.number).id

    def body(self, text: str) -> str:
        return text[self.body_start:self.end]

    def is_empty(self, text: str) -> bool:
        return self.present and not self.truncated and not text[self.body_start:self.end].strip()


@dataclass
class Fact:
    """A number stated in prose, with its unit and where it stands."""

    value: float | int
    unit: str
    start: int
    end: int
    text: str                   # the number and unit as written
    sentence: str
    sentence_start: int
    section: int | None         # 0 = preamble, 1..6, None when outside any section
    subject: str = ""           # the words before the number in its clause (what is counted)


@dataclass
class Cell:
    table: str
    row: str                    # row id
    column: str                 # column id
    value: float | int | None
    state: str
    raw: str | None = None      # the text of the cell as written
    start: int | None = None
    end: int | None = None
    note: str | None = None
    # "stated" (one printed cell), "split" (cut from run-together digits), or, for a cell read back from
    # reportkit's own export untouched, the provenance that export gave it ("inferred", "stated-prose"):
    # reconstruct derives such a cell again instead of taking it as stated.
    how: str | None = None
    rule: str | None = None     # for split cells: what decided the cut (reportkit.split)
    rejected: int | None = None  # for split cells: how many other admissible cuts were rejected


@dataclass
class TableIssue:
    """Something the table parser could not fit into the format (always reported, never guessed)."""

    table: str
    kind: str                   # e.g. "cell_count", "run_together", "non_numeric", "unknown_label"
    message: str
    row: str | None = None
    column: str | None = None
    start: int | None = None
    end: int | None = None
    raw: str | None = None
    candidates: list | None = None  # ambiguous_split: the admissible cuts, each a list of cell values


# A cell as the table reader stores it, before anyone asks for ``TableRead.cells`` (a report's tables
# hold a few hundred cells; a tuple costs a fraction of a Cell), one of:
# * the fields of :class:`Cell` after ``table``, ``row`` and ``column``: (value, state, raw, start, end,
#   note, how, rule, rejected), nine items;
# * the token of a plain printed count, as the table reader tokenized it (a plain tuple or a
#   ``tables.Token``): (kind, text, start, end, glued, grid row), six items, ``text`` ASCII digits: a
#   stated value ``int(text)``.
_TOKEN = 6       # items of a token entry (a fields entry has nine)


@dataclass
class TableRead:
    table: str
    version: str
    found: bool                 # some row label or header of the table was seen in the text
    # (row id, column id) -> Cell. Built on first use from what the reader stored (see ``store``).
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    issues: list[TableIssue] = field(default_factory=list)
    start: int | None = None
    end: int | None = None
    # Rows whose run-together digits admit several cuts, left for the report-level solve
    # (reportkit.tables.settle_splits): row id -> (cell columns, admissible cuts, raw, start, end).
    pending: dict = field(default_factory=dict, repr=False, compare=False)

    def store(self) -> dict:
        """The mapping a reader writes cells into: (row id, column id) -> a :class:`Cell` or a tuple (see
        ``_FIELDS`` above), in reading order. Until ``cells`` is first read, that is a store of tuples;
        afterwards ``cells`` itself."""
        d = self.__dict__
        lazy = d.get("_lazy")
        if lazy is None:
            if d["_cells"]:
                return d["_cells"]
            lazy = d["_lazy"] = {}
        return lazy

    def _entry(self, row: str, column: str):
        lazy = self.__dict__.get("_lazy")
        return (lazy if lazy is not None else self.__dict__["_cells"]).get((row, column))

    def value(self, row: str, column: str):
        c = self._entry(row, column)
        if c is None:
            return None
        if isinstance(c, tuple):
            if len(c) == _TOKEN:
                return int(c[1])
            return c[0] if c[1] == "value" else None
        return c.value if c.state == "value" else None

    def state(self, row: str, column: str) -> str:
        c = self._entry(row, column)
        if c is None:
            return "missing"
        if isinstance(c, tuple):
            return "value" if len(c) == _TOKEN else c[1]
        return c.state

    @property
    def has_cells(self) -> bool:
        """Whether any cell was read: ``bool(self.cells)`` without building the Cells."""
        return bool(self.__dict__.get("_lazy") or self.__dict__["_cells"])

    def cells_span(self) -> tuple[int, int] | None:
        """(first start, last end) of the cells that have a span, without building the Cells."""
        lazy = self.__dict__.get("_lazy")
        if lazy is None:
            spans = [(c.start, c.end) for c in self.__dict__["_cells"].values() if c.start is not None]
        else:
            spans = [((c[2], c[3]) if len(c) == _TOKEN else (c[3], c[4])) if isinstance(c, tuple)
                     else (c.start, c.end) for c in lazy.values()]
            spans = [sp for sp in spans if sp[0] is not None]
        if not spans:
            return None
        return min(s for s, _ in spans), max(e for _, e in spans)

    @property
    def has_numbers(self) -> bool:
        lazy = self.__dict__.get("_lazy")
        if lazy is None:
            return any(c.state == "value" for c in self.__dict__["_cells"].values())
        return any(("value" if len(c) == _TOKEN else c[1]) == "value" if isinstance(c, tuple)
                   else c.state == "value" for c in lazy.values())

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame in the official layout: labelled rows, MultiIndex columns, NA for
        anything that is not a number."""
        import pandas as pd
        t = spec().table(self.table, self.version)
        depth = max(len(c.path) for c in t.columns) + 1
        cols = pd.MultiIndex.from_tuples(
            [tuple(list(c.path) + [""] * (depth - 1 - len(c.path))) + (c.label,) for c in t.columns]
        ) if depth > 1 else pd.Index([c.label for c in t.columns])
        index = pd.Index([r.label for r in t.data_rows], name="行")
        data = []
        for r in t.data_rows:
            allowed = {c.id for c in t.columns_for(r.id)}
            data.append([self.value(r.id, c.id) if c.id in allowed else None for c in t.columns])
        # Counts are Int64, but a count cell may hold what the text says (3.5, which check reports);
        # the frame must show it rather than fail to cast, so such a table falls back to object.
        integral = all(v is None or float(v).is_integer() for row in data for v in row)
        dtype = "Int64" if integral and not any(c.decimal for c in t.columns) else "object"
        df = pd.DataFrame(data, index=index, columns=cols)
        if dtype == "Int64":
            df = df.astype("Int64")
        else:
            df = df.astype(object).where(df.notna(), pd.NA)
        return df


def _get_cells(self: TableRead) -> dict[tuple[str, str], Cell]:
    d = self.__dict__
    lazy = d.get("_lazy")
    if lazy is not None:
        tid = self.table
        cells = d["_cells"]
        for k, c in lazy.items():
            if c.__class__ is Cell:
                cells[k] = c
            elif len(c) == _TOKEN:
                text = c[1]
                cells[k] = Cell(tid, k[0], k[1], int(text), "value", text, c[2], c[3], None, "stated")
            else:
                cells[k] = Cell(tid, k[0], k[1], *c)
        d["_lazy"] = None
    return d["_cells"]


def _set_cells(self: TableRead, cells: dict) -> None:
    self.__dict__["_cells"] = cells
    self.__dict__["_lazy"] = None


# ``cells`` stays the dataclass field of the constructor, repr and equality; reading it turns what the
# reader stored into Cells once.
TableRead.cells = property(_get_cells, _set_cells, doc="(row id, column id) -> Cell")


@dataclass
class Report:
    """One loaded annual report. ``text`` is the original text every span points into."""

    text: str
    source: str
    kind: str                                   # "text", "html" or "structured"
    title: str | None
    agency: str | None
    year: int | None
    format_version: str | None                  # "2021", "2019" or None when no table says
    preamble_end: int                           # text[0:preamble_end] is the title and introduction
    sections: list[Section]
    tables: dict[str, TableRead | None]
    facts: list[Fact]
    notes: list[dict[str, object]] = field(default_factory=list)    # load-time observations
    assets: list[dict[str, object]] = field(default_factory=list)   # HTML images/iframes/links per section

    def section(self, number: int) -> Section:
        return self.sections[number - 1]

    def body(self, number: int) -> str:
        return self.section(number).body(self.text)

    def frame(self, table: str) -> pd.DataFrame | None:
        """Table ``proactive`` (二), ``requests`` (三) or ``appeals`` (四) as a DataFrame, or None."""
        t = self.tables.get(table)
        return t.frame() if t is not None else None

    def spans(self) -> list[tuple[int, int]]:
        """The partition of the text: the preamble, then every section in text order."""
        out = [(0, self.preamble_end)]
        out += sorted((s.start, s.end) for s in self.sections)
        return out

    def facts_frame(self) -> pd.DataFrame:
        import pandas as pd
        cols = ["value", "unit", "text", "section", "subject", "start", "end", "sentence"]
        return pd.DataFrame([{k: getattr(f, k) for k in cols} for f in self.facts], columns=cols)

    def cells_frame(self) -> pd.DataFrame:
        """Every cell the format requires, one row each, with its state: a long, tidy view."""
        import pandas as pd
        rows = []
        for tid in ("proactive", "requests", "appeals"):
            tr = self.tables.get(tid)
            version = tr.version if tr else (self.format_version or "2021")
            t = spec().table(tid, version)
            for rid, cid in t.cells:
                c = tr.cells.get((rid, cid)) if tr else None
                rows.append({"table": tid, "row_id": rid, "row": t.row(rid).label, "column_id": cid,
                             "column": t.column(cid).name,
                             "value": c.value if c else None,
                             "state": c.state if c else "missing",
                             "raw": c.raw if c else None,
                             "start": c.start if c else None, "end": c.end if c else None})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        present = "".join("一二三四五六"[s.number - 1] for s in self.sections if s.present)
        return (f"<Report {self.title or self.source!r} year={self.year} format={self.format_version} "
                f"sections={present or '-'} chars={len(self.text)}>")
