"""Cut run-together digits into table cells, and decide between the cuts with the format's arithmetic.

Copied web pages often lose the separators between table cells: a row of seven cells prints as
``530010458`` or ``20 00 0 0 2``. The digits and the separators that *were* printed are facts; the
cuts between cells are not. This module lists every admissible cut of a row (no cell with a leading
zero except ``0`` itself, printed separators are cell boundaries, at most :data:`MAX_DIGITS` digits per
cell, a decimal point only in a decimal column) and then lets the arithmetic decide:

* ``digit_count``  as many digits as cells: one digit per cell, whatever the sums say (a report whose
  总计 column is wrong is read as printed, and ``check`` says so);
* ``number_form``  only one cut gives well-formed numbers (``2000`` for three cells is ``20|0|0``);
* ``row_sum``      the identities within one row (the six applicant columns add up to 总计; each 表四
  block adds up to its 总计) leave one cut;
* ``column_identity`` the identities across rows (一+二 = （七）+四; the result rows add up to （七）)
  settle rows that one row alone cannot, jointly.

A cut chosen by an identity is only as sure as the identity: authors do print sums that do not add up.
So identities decide only in a report whose arithmetic is seen to hold where it could have failed
(rows read without any identity, and the column identities checked after the rows were cut by their
own sums), and never in a report where such a check fails. Everything here is pure: no I/O, no
knowledge of labels; the identities come in as data (``reportkit.format.spec()``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import rx

MAX_DIGITS = 15
"""A cell holding more digits than this is not read: no count or fee in a report comes near it, a float
cannot hold it exactly, and int() refuses very long digit strings (so ``10^30`` or a run of a thousand
digits is reported, never turned into a wrong number or an exception)."""

MAX_NODES = 20000
"""Search steps allowed when listing the cuts of one row, and again when solving a table jointly. A row
that needs more is reported as unreadable: loading stays fast on hostile input."""

MAX_LISTED = 12
"""Candidate cuts listed in a finding (the count of all candidates is always given)."""

_CELL = rx.lazy(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?\Z")

Cells = tuple  # one cut: a value per cell (int, float, or None for a printed blank mark)
Equation = tuple  # (lhs cells, rhs cells, identity id); a cell is (row id, column id)


def cell_ok(text: str, decimal: bool) -> bool:
    """Whether ``text`` can be one cell: a well-formed number, a decimal only where the column holds one."""
    if text.isdigit():
        return (len(text) == 1 or text[0] != "0") and len(text) <= MAX_DIGITS
    if not _CELL.match(text):
        return False
    if "." in text and not decimal:
        return False
    return sum(ch.isdigit() for ch in text) <= MAX_DIGITS


def number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


@dataclass
class Cuts:
    """The admissible cuts of one row: each a tuple of cell texts (None for a printed blank mark)."""

    texts: list[tuple[str | None, ...]]
    capped: bool                # the search stopped at MAX_NODES: the list is incomplete

    def values(self) -> list[Cells]:
        return [tuple(None if t is None else number(t) for t in c) for c in self.texts]


def cuts(pieces: Sequence[str | None], decimals: Sequence[bool], max_nodes: int = MAX_NODES) -> Cuts:
    """Every way to cut the printed ``pieces`` (digit runs between printed separators; None for a blank
    mark, which is one cell) into ``len(decimals)`` cells. Separators are always cell boundaries."""
    texts, capped = _cuts(tuple(pieces), tuple(decimals), max_nodes)
    return Cuts(list(texts), capped)


@functools.lru_cache(maxsize=4096)
def _cuts(pieces: tuple[str | None, ...], decimals: tuple[bool, ...], max_nodes: int):
    n = len(decimals)
    if all(p is None or p.isdigit() for p in pieces) and sum(1 if p is None else len(p) for p in pieces) == n:
        # As many digits as cells (the usual "0000000"): one digit per cell is the only cut.
        return (tuple(None if p is None else ch for p in pieces for ch in (p or "-")),), False
    pieces = list(pieces)
    # Most cells the pieces from i on can give (one per character is an upper bound), fewest (one each).
    most = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        most[i] = most[i + 1] + (1 if pieces[i] is None else sum(ch.isdigit() for ch in pieces[i]))
    out: list[tuple[str | None, ...]] = []
    nodes = 0
    capped = False
    cur: list[str | None] = []

    def walk(i: int, pos: int) -> None:
        nonlocal nodes, capped
        if capped:
            return
        nodes += 1
        if nodes > max_nodes:
            capped = True
            return
        if i == len(pieces):
            if len(cur) == n:
                out.append(tuple(cur))
            return
        left = n - len(cur)
        piece = pieces[i]
        if piece is None:
            if left >= 1:
                cur.append(None)
                walk(i + 1, 0)
                cur.pop()
            return
        if pos == len(piece):
            walk(i + 1, 0)
            return
        rest_pieces = len(pieces) - i - 1
        if left < 1 + rest_pieces:
            return
        if left > sum(ch.isdigit() for ch in piece[pos:]) + most[i + 1]:
            return
        col = len(cur)
        for e in range(pos + 1, len(piece) + 1):
            text = piece[pos:e]
            if not cell_ok(text, decimals[col]):
                # A longer cell starting here can only become valid by adding digits after a lone
                # sign or a point; anything with a leading zero stays invalid.
                if text.lstrip("+-").startswith("0") and len(text.lstrip("+-")) > 1 and "." not in text:
                    break
                continue
            cur.append(text)
            walk(i, e)
            cur.pop()
            if capped:
                return

    walk(0, 0)
    return tuple(out), capped


RULE_NAMES = {
    "digit_count": "位数与单元格数相同，每格一位",
    "number_form": "只有一种不以0开头的拆法",
    "row_sum": "本行各列之和等于总计",
    "column_identity": "表内各行的勾稽关系",
}
"""What each rule that decides a cut is called where an analyst reads it."""


def form_rule(texts: tuple[str | None, ...]) -> str:
    """The rule that decides a row whose admissible cut is unique without any identity."""
    return "digit_count" if all(t is None or len(t) == 1 for t in texts) else "number_form"


# --- deciding with identities ---------------------------------------------------------------------

@dataclass
class Pending:
    """A row of one table whose cut is not decided by its form: several admissible cuts."""

    row: str
    cols: tuple[str, ...]
    candidates: list[Cells]


@dataclass
class TableProblem:
    known: dict[tuple[str, str], float]         # cells read without any identity (numbers only)
    pending: dict[str, Pending]
    equations: list[Equation]


@dataclass
class Outcome:
    kind: str                   # "split" (decided), "ambiguous", "none" (no cut adds up), "untrusted"
    values: Cells | None = None
    rule: str | None = None
    rejected: int = 0
    candidates: list[Cells] = field(default_factory=list)
    reason: str = ""
    identities: tuple[str, ...] = ()


def _holds(eq: Equation, vals) -> bool | None:
    lhs, rhs, _ = eq
    try:
        a = sum(vals[c] for c in lhs)
        b = sum(vals[c] for c in rhs)
    except KeyError:
        return None
    return abs(a - b) < 1e-6 * max(1.0, abs(a), abs(b))


@functools.lru_cache(maxsize=1024)
def _rows_of(eq: Equation) -> frozenset[str]:
    return frozenset(r for r, _ in (*eq[0], *eq[1]))


def _describe(eq: Equation, vals) -> str:
    lhs, rhs, ident = eq
    show = lambda side: "+".join(f"{vals[c]:g}" for c in side)  # noqa: E731
    return f"{ident}: {show(lhs)} ≠ {show(rhs)}"


def solve(problems: dict[str, TableProblem], max_nodes: int = MAX_NODES) -> dict[str, dict[str, Outcome]]:
    """Decide the pending rows of every table of one report. Identities decide only when the report's
    arithmetic fails nowhere it can be checked (rows read without identities; identities across rows
    after each row was cut by its own sums; the joint reading), and can be checked somewhere: an
    identity that the author got wrong in a row could otherwise cut that row's digits wrongly."""
    failures: list[str] = []
    evidence = False
    results: dict[str, dict[str, Outcome]] = {}
    decided: dict[str, dict[str, Cells]] = {}
    for tid, p in problems.items():
        out: dict[str, Outcome] = {}
        results[tid] = out
        decided[tid] = {}
        # 1. The rows read without identities: where they break an identity, the author's sums fail.
        for eq in p.equations:
            h = _holds(eq, p.known)
            if h is False:
                failures.append(_describe(eq, p.known))
            elif h:
                evidence = True
        if not p.pending:
            continue
        vals = dict(p.known)
        # 2. Each pending row by the identities within that row only.
        row_eqs: dict[str, list[Equation]] = {}
        for eq in p.equations:
            rows = _rows_of(eq)
            if len(rows) == 1:
                row_eqs.setdefault(next(iter(rows)), []).append(eq)
        alive: dict[str, list[Cells]] = {}
        for rid, pend in p.pending.items():
            keep = []
            for cand in pend.candidates:
                trial = {(rid, c): v for c, v in zip(pend.cols, cand) if v is not None}
                if all(_holds(eq, trial) is not False for eq in row_eqs.get(rid, ())):
                    keep.append(cand)
            if not keep:
                out[rid] = Outcome("none", candidates=pend.candidates,
                                   reason=f"none of the {len(pend.candidates)} admissible cuts adds up")
            elif len(keep) == 1:
                out[rid] = Outcome("split", keep[0], "row_sum", len(pend.candidates) - 1,
                                   identities=tuple(sorted({e[2] for e in row_eqs.get(rid, ())})))
                decided[tid][rid] = keep[0]
                vals.update({(rid, c): v for c, v in zip(pend.cols, keep[0]) if v is not None})
            else:
                alive[rid] = keep
        # 3. The identities across rows, checked on what the rows gave by themselves: they could fail.
        for eq in p.equations:
            if len(_rows_of(eq)) > 1 and _rows_of(eq) & set(decided[tid]):
                h = _holds(eq, vals)
                if h is False:
                    failures.append(_describe(eq, vals))
                elif h:
                    evidence = True
        # 4. Rows still open: solved jointly with the identities across rows.
        if alive:
            sols, capped = _joint(p, alive, vals, max_nodes)
            if not capped and not sols:
                failures.append("no joint reading satisfies the identities across rows")
            for rid, keep in alive.items():
                pend = p.pending[rid]
                seen = list(dict.fromkeys(s[rid] for s in sols)) if not capped else keep
                if len(seen) == 1:
                    used = sorted({e[2] for e in p.equations if len(_rows_of(e)) > 1 and rid in _rows_of(e)})
                    out[rid] = Outcome("split", seen[0], "column_identity", len(pend.candidates) - 1,
                                       identities=tuple(used))
                    decided[tid][rid] = seen[0]
                else:
                    touched = any(rid in _rows_of(e) for e in p.equations)
                    out[rid] = Outcome("ambiguous", candidates=seen or keep,
                                       reason=("the search for a joint reading stopped at its limit" if capped
                                               else f"{len(seen or keep)} cuts satisfy the identities" if touched
                                               else "no identity of the format constrains this row"))
        # 5. A row cut by its own sum alone could be an author's wrong sum that another cut happens to
        # satisfy. Where identities across rows pass through it, one of them must be checked and hold.
        final = dict(p.known)
        for rid, cut in decided[tid].items():
            final.update({(rid, c): v for c, v in zip(p.pending[rid].cols, cut) if v is not None})
        for rid, o in list(out.items()):
            across = [e for e in p.equations if len(_rows_of(e)) > 1 and rid in _rows_of(e)]
            if o.kind == "split" and o.rule == "row_sum" and across and not any(_holds(e, final) for e in across):
                out[rid] = Outcome("untrusted", candidates=p.pending[rid].candidates,
                                   reason="only its own sum decides the cut: no identity across rows through it "
                                          "could be checked")
    if failures or not evidence:
        reason = ("the report's own sums fail elsewhere (" + "; ".join(failures[:3]) + ")" if failures else
                  "no sum in the report could be checked, so no identity is trusted to cut digits")
        for tid, out in results.items():
            for rid, o in out.items():
                if o.kind == "split":
                    out[rid] = Outcome("untrusted", candidates=problems[tid].pending[rid].candidates,
                                       reason=reason)
    return results


def _joint(p: TableProblem, alive: dict[str, list[Cells]], vals: dict, max_nodes: int):
    """All joint readings of the open rows (each a dict row -> cut) satisfying every identity whose
    cells are all known, or (partial list, True) when the search hits its limit."""
    order = sorted(alive, key=lambda r: len(alive[r]))
    open_rows = set(order)
    eqs = [e for e in p.equations if _rows_of(e) & open_rows]
    # An identity is checked as soon as the last open row it involves is assigned.
    last = {}
    for e in eqs:
        idx = max(order.index(r) for r in _rows_of(e) & open_rows)
        last.setdefault(idx, []).append(e)
    sols: list[dict[str, Cells]] = []
    cur = dict(vals)
    pick: dict[str, Cells] = {}
    nodes = 0
    capped = False

    def walk(k: int) -> None:
        nonlocal nodes, capped
        if capped:
            return
        if k == len(order):
            sols.append(dict(pick))
            if len(sols) > 64:
                capped = True
            return
        rid = order[k]
        cols = p.pending[rid].cols
        for cand in alive[rid]:
            nodes += 1
            if nodes > max_nodes:
                capped = True
                return
            cells = [((rid, c), v) for c, v in zip(cols, cand) if v is not None]
            for key, v in cells:
                cur[key] = v
            if all(_holds(e, cur) is not False for e in last.get(k, ())):
                pick[rid] = cand
                walk(k + 1)
                del pick[rid]
            for key, _ in cells:
                del cur[key]
            if capped:
                return

    walk(0)
    return sols, capped
