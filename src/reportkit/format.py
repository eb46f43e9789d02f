"""The official report format (国办公开办函〔2021〕30号, and the 2019 trial format), loaded from data.

Everything reportkit knows about sections, table rows, columns and arithmetic identities comes from
``data/format.yaml``. This module turns that file into small immutable objects and offers the one
label-normalisation function every matcher uses, so that no label is ever re-typed in a parser.

>>> from reportkit.format import spec
>>> t = spec().table("requests")
>>> len(t.data_rows), len(t.columns)
(25, 7)
"""

from __future__ import annotations

import functools
import marshal
import os
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import rx
from .lexicon import ENUMERATOR
from .text import CN_DIGIT, fold

VERSIONS = ("2021", "2019")
TABLE_IDS = ("proactive", "requests", "appeals")

# Punctuation and brackets that carry no meaning when comparing labels. Digits and Chinese numerals stay,
# because enumerators ("3.其他" vs the column "其他") are what tell some labels apart.
_LABEL_DROP = rx.lazy(r"[\s\u3000()（）\[\]【】〔〕<>《》、,，.．。:：;；\"'“”‘’·/|_\-—－]+")


@functools.lru_cache(maxsize=65536)
def label_key(label: str) -> str:
    """The comparison key of a table or heading label: folded, without spaces or punctuation.
    Cached: the same few hundred labels recur in every report of a corpus."""
    return _LABEL_DROP.sub("", fold(label))


_LEADING_ENUMERATOR = rx.lazy(rf"^(?:\d+|{CN_DIGIT}+)")


def strip_enumerator(key: str) -> str:
    """A label key without its leading enumerator ("1", "一", "(三)" already stripped of brackets)."""
    return _LEADING_ENUMERATOR.sub("", key)


_ENUM = rx.lazy(rf"^{ENUMERATOR}\s*")
_REMARK = rx.lazy(r"[（(][^（）()]*[）)]$")


@dataclass(frozen=True)
class Column:
    id: str
    label: str                  # the label as printed in the header cell
    name: str                   # unique within the table: used in JSON and exports
    path: tuple[str, ...]       # header levels above the label (for MultiIndex columns)
    decimal: bool = False
    signed: bool = False
    unit: str | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    kind: str = "data"          # "data" rows carry numbers; "group" rows are merged label cells
    parent: str | None = None
    block: str | None = None    # table 二 only: the 第二十条 block the row belongs to
    variants: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label_key(x) for x in (self.label, *self.variants)))


@dataclass(frozen=True)
class Block:
    id: str
    label: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    """A linear identity ``sum(lhs) == sum(rhs)`` over cells of one table, expanded per column/row."""

    id: str
    table: str
    basis: str                  # "format" (printed in the template) or "implied"
    official: bool
    description: str
    description_en: str
    equations: tuple[tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], str], ...]
    # each equation: (lhs cells, rhs cells, scope label) where a cell is (row_id, col_id)


@dataclass(frozen=True)
class Table:
    id: str
    number: int
    title: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    blocks: tuple[Block, ...] = ()
    corner: str | None = None
    name: str = ""                      # the short name prose uses: 表二, 表三, 表四
    content_header: str | None = None   # table 二: the header of the row-label column of each block

    @property
    def data_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.kind == "data")

    def row(self, row_id: str) -> Row:
        return self._rows[row_id]

    def column(self, col_id: str) -> Column:
        return self._cols[col_id]

    def columns_for(self, row_id: str) -> tuple[Column, ...]:
        """The columns a data row has numbers in (table 二 rows differ by block)."""
        row = self.row(row_id)
        if row.block is None:
            return self.columns
        block = next(b for b in self.blocks if b.id == row.block)
        return tuple(self.column(c) for c in block.columns)

    @property
    def cells(self) -> tuple[tuple[str, str], ...]:
        """Every (row id, column id) cell the format requires, in reading order."""
        return tuple((r.id, c.id) for r in self.data_rows for c in self.columns_for(r.id))

    @functools.cached_property
    def _rows(self) -> dict[str, Row]:
        return {r.id: r for r in self.rows}

    @functools.cached_property
    def _cols(self) -> dict[str, Column]:
        return {c.id: c for c in self.columns}

    @functools.cached_property
    def row_by_key(self) -> dict[str, Row]:
        """Row lookup by label key (labels and variants); the enumerator-less key is a fallback."""
        out: dict[str, Row] = {}
        for r in self.rows:
            for k in r.keys:
                out.setdefault(k, r)
        for r in self.rows:
            for k in r.keys:
                bare = strip_enumerator(k)
                # Short bare keys ("其他") collide with column headers, so only long ones are trusted.
                if len(bare) >= 4:
                    out.setdefault(bare, r)
        return out

    @functools.cached_property
    def block_by_key(self) -> dict[str, Block]:
        return {label_key(b.label): b for b in self.blocks}


@dataclass(frozen=True)
class Section:
    number: int
    id: str
    title: str
    patterns: tuple[str, ...]
    table: str | None = None
    short: str = ""             # what a chart or a list calls it (总体情况, 复议诉讼)
    keywords: tuple[str, ...] = ()   # the title's key words, most telling first


@dataclass(frozen=True)
class Version:
    id: str
    document: str
    tables: dict[str, Table]
    identities: tuple[Identity, ...]

    def table(self, table_id: str) -> Table:
        return self.tables[table_id]

    def identity(self, identity_id: str) -> Identity:
        return next(i for i in self.identities if i.id == identity_id)

    @functools.cached_property
    def outcome_rows(self) -> tuple[str, ...]:
        """The rows of table 三 that count one kind of outcome (（一）予以公开 … （六）3.其他): the terms
        of the identity that sums them into （七）总计."""
        return tuple(r for r, _ in self.identity("requests_results_sum").equations[0][1])


@dataclass(frozen=True)
class Format:
    sections: tuple[Section, ...]
    versions: dict[str, Version]
    overview_topics: tuple[dict, ...]
    blank_marks: frozenset[str]
    version_markers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def version(self, version: str | None = None) -> Version:
        return self.versions[version or "2021"]

    def table(self, table_id: str, version: str | None = None) -> Table:
        return self.version(version).tables[table_id]

    def section(self, number: int) -> Section:
        return self.sections[number - 1]

    def section_for_table(self, table_id: str) -> Section:
        return next(s for s in self.sections if s.table == table_id)


def _build_table(table_id: str, raw: dict) -> Table:
    if table_id == "proactive":
        cols: dict[str, Column] = {}
        rows: list[Row] = []
        blocks: list[Block] = []
        for b in raw["blocks"]:
            for c in b["columns"]:
                cols.setdefault(c["id"], Column(
                    id=c["id"], label=c["label"], name=c["label"], path=(),
                    decimal=bool(c.get("decimal")), signed=bool(c.get("signed")), unit=c.get("unit"),
                    variants=tuple(c.get("variants", ()))))
            for r in b["rows"]:
                rows.append(Row(id=r["id"], label=r["label"], block=b["id"],
                                variants=tuple(r.get("variants", ()))))
            blocks.append(Block(id=b["id"], label=b["label"],
                                columns=tuple(c["id"] for c in b["columns"]),
                                rows=tuple(r["id"] for r in b["rows"])))
        return Table(id=table_id, number=raw["number"], title=raw["title"], rows=tuple(rows),
                     columns=tuple(cols.values()), blocks=tuple(blocks), name=raw["name"],
                     content_header=raw.get("content_header"))
    if table_id == "requests":
        cols = [Column(id=c["id"], label=c["label"], name=c["label"],
                       path=(raw["column_header"], c.get("group", c["label"])))
                for c in raw["columns"]]
        rows = [Row(id=r["id"], label=r["label"], kind=r.get("kind", "data"), parent=r.get("parent"),
                    variants=tuple(r.get("variants", ()))) for r in raw["rows"]]
        return Table(id=table_id, number=raw["number"], title=raw["title"], rows=tuple(rows),
                     columns=tuple(cols), corner=raw.get("corner"), name=raw["name"])
    if table_id == "appeals":
        cols = []
        for g in raw["column_groups"]:
            top = g.get("group", g["label"])
            mid = g["label"] if "group" in g else ""
            for res in raw["column_results"]:
                path = (top, mid) if mid else (top,)
                cols.append(Column(id=f"{g['id']}_{res['id']}", label=res["label"],
                                   name="/".join((*path, res["label"])), path=(top, mid)))
        rows = [Row(id=r["id"], label=r["label"]) for r in raw["rows"]]
        return Table(id=table_id, number=raw["number"], title=raw["title"], rows=tuple(rows),
                     columns=tuple(cols), name=raw["name"])
    raise ValueError(f"unknown table {table_id!r} in format.yaml")


def _expand_identity(raw: dict, table: Table) -> Identity:
    eqs = []
    scope = raw["for_each"]
    if scope == "column":
        for c in table.columns:
            eqs.append((tuple((r, c.id) for r in raw["lhs"] if r),
                        tuple((r, c.id) for r in raw["rhs"] if r), c.name))
    elif scope == "row":
        for r in table.data_rows:
            eqs.append((tuple((r.id, c) for c in raw["lhs"]),
                        tuple((r.id, c) for c in raw["rhs"]), r.label))
    elif scope == "column_group":
        # Column ids are "<group>_<result>" and result ids hold no underscore.
        groups = dict.fromkeys(c.id[: c.id.rfind("_")] for c in table.columns)
        for g in groups:
            row = table.data_rows[0].id
            lhs = tuple((row, f"{g}_{x}") for x in raw["lhs"])
            rhs = tuple((row, f"{g}_{x}") for x in raw["rhs"])
            label = table.column(f"{g}_total").name.rsplit("/", 1)[0]
            eqs.append((lhs, rhs, label))
    else:
        raise ValueError(f"identity {raw['id']}: unknown for_each {scope!r}")
    return Identity(id=raw["id"], table=raw["table"], basis=raw["basis"], official=bool(raw["official"]),
                    description=raw["description"], description_en=raw["description_en"],
                    equations=tuple(eqs))


def _copy(raw):
    """A copy of parsed YAML (dicts, lists, scalars) to edit: copy.deepcopy's memo costs ten times this."""
    if isinstance(raw, dict):
        return {k: _copy(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_copy(v) for v in raw]
    return raw


def _resolve_versions(raw_versions: dict) -> dict[str, Version]:
    out: dict[str, Version] = {}
    for vid in ("2021", "2019"):
        rv = raw_versions[vid]
        tables_raw: dict[str, dict] = {}
        for tid in TABLE_IDS:
            t = _copy(rv["tables"][tid])
            if "same_as" in t:
                base = _copy(raw_versions[t.pop("same_as")]["tables"][tid])
                drop = set(t.pop("drop_rows", ()))
                repl = t.pop("replace_rows", {})
                if "rows" in base:
                    base["rows"] = [repl.get(r["id"], r) for r in base["rows"] if r["id"] not in drop]
                base.update(t)
                t = base
            tables_raw[tid] = t
        tables = {tid: _build_table(tid, t) for tid, t in tables_raw.items()}
        ids_raw = rv["identities"]
        if isinstance(ids_raw, dict):
            base_ids = _copy(raw_versions[ids_raw["same_as"]]["identities"])
            for ident in base_ids:
                terms = ids_raw.get("replace_terms", {}).get(ident["id"], {})
                for side in ("lhs", "rhs"):
                    ident[side] = [terms.get(x, x) for x in ident[side] if terms.get(x, x) is not None]
            ids_raw = base_ids
        identities = tuple(_expand_identity(i, tables[i["table"]]) for i in ids_raw)
        out[vid] = Version(id=vid, document=rv["document"], tables=tables, identities=identities)
    return out


_DATA = Path(__file__).resolve().parent / "data"


def read_data(name: str, cache_dir: Path | None = None) -> dict:
    """``data/<name>``, a YAML file of the package, parsed.

    Like Python's own bytecode, the parsed form is kept in a ``__pycache__`` folder beside the file
    (``cache_dir`` to put it elsewhere) and used while the file's bytes are the same: importing PyYAML
    and parsing cost a one-report command more than all of its own work. Nothing is written when
    Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``) or the folder is read-only; the file is
    then parsed each time (with libyaml's C loader when PyYAML has it, ten times the pure-Python one)."""
    source = _DATA / name
    raw = source.read_bytes()
    key = f"{len(raw)}:{zlib.crc32(raw)}:{zlib.adler32(raw)}\n".encode()     # 64 bits of checksum and the size
    cache = (cache_dir or _DATA / "__pycache__") / f"{name}.{sys.implementation.cache_tag}-m{marshal.version}"
    try:
        blob = cache.read_bytes()
        if blob.startswith(key):
            return marshal.loads(blob[len(key):])
    except (OSError, EOFError, ValueError, TypeError):
        pass                            # no cache yet, or a damaged one: parse and write it again
    import yaml
    data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not sys.dont_write_bytecode:
        _write_cache(cache, key, data)
    return data


def _write_cache(cache: Path, key: bytes, data) -> None:
    """Write the parsed form of a data file, atomically (parallel test workers and corpus processes
    may race to write it); a folder that cannot be written leaves the cache unwritten."""
    try:
        blob = key + marshal.dumps(data)
    except ValueError:
        return                          # a value marshal cannot hold (a date): parsed every time
    try:
        cache.parent.mkdir(exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, cache)
    except OSError:
        pass


@functools.lru_cache(maxsize=1)
def spec() -> Format:
    """The parsed format description (cached: it is read once per process)."""
    raw = read_data("format.yaml")
    sections = tuple(Section(number=s["number"], id=s["id"], title=s["title"],
                             patterns=tuple(s["patterns"]), table=s.get("table"), short=s["short"],
                             keywords=tuple(s.get("keywords", ())))
                     for s in raw["sections"])
    return Format(sections=sections, versions=_resolve_versions(raw["versions"]),
                  overview_topics=tuple(raw["overview_topics"]),
                  blank_marks=frozenset(fold(m) for m in raw["blank_marks"]),
                  version_markers={k: tuple(label_key(x) for x in v)
                                   for k, v in raw["version_markers"].items()})


# Names of rows, columns and cells as prose says them (drafts, chart labels, placeholders).

def row_name(t: Table, row_id: str, with_group: bool = False) -> str:
    """What a row counts, without enumerator or remark: 一、本年新收… → 本年新收政府信息公开申请数量.
    ``with_group`` prefixes sub-rows with their group (不予公开·属于国家秘密)."""
    row = t.row(row_id)
    name = _REMARK.sub("", _ENUM.sub("", row.label)) or row.label
    parent = t.row(row.parent) if row.parent else None
    if parent is not None and row.id == f"{parent.id}_total":      # （七）总计 → 本年度办理结果总计
        return row_name(t, parent.id) + name
    if with_group and parent is not None and parent.kind == "group" and parent.parent:
        name = f"{row_name(t, parent.id)}·{name}"
    return name


def column_name(t: Table, col_id: str) -> str:
    """A column named by its header path: 自然人, 法人或其他组织·商业企业, 行政诉讼·复议后起诉·结果维持."""
    c = t.column(col_id)
    parts = [p for p in (c.path[1:] if t.id == "requests" else c.path) if p]
    if not parts or parts[-1] != c.label:
        parts.append(c.label)
    return "·".join(parts)


def cell_label(table: str, row: str, column: str, version: str = "2021") -> str:
    """The name of one cell as a placeholder says it, e.g.
    ``本年新收政府信息公开申请数量（法人或其他组织·商业企业）``, ``不予公开·属于国家秘密（总计）``."""
    t = spec().table(table, version)
    return f"{row_name(t, row, with_group=True)}（{column_name(t, column)}）"
