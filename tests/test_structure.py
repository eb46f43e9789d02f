"""The house rules of the package, read from its source.

* Imports only go down the data flow (:data:`STAGES`): a module imports modules of its own stage or of
  an earlier one, never a later one, and the import graph has no cycle.
* No import of a package module inside a function (a lazy import hides an arrow) and no
  ``ModuleNotFoundError``/``ImportError`` guard (every module of the package is always there).
* Official row and column labels live in ``data/format.yaml``: a ``.py`` file gets them from
  :func:`reportkit.format.spec`, never types them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import reportkit
from reportkit.format import TABLE_IDS, VERSIONS, spec
from reportkit.lexicon import ENUMERATOR

SRC = Path(reportkit.__file__).resolve().parent
PACKAGE = "reportkit"

# The data flow, lowest first. A module (or a subpackage, by prefix) sits at one stage; it may import
# its own stage and the stages before it. A new module must be placed here, where it belongs.
STAGES: tuple[tuple[str, ...], ...] = (
    ("errors", "paths", "text", "fonts", "rx"),         # no reportkit imports at all
    ("format", "lexicon"),                              # the official format; shared Chinese patterns
    ("model", "layout", "agency"),                      # Report and cells; the official grid
    ("split", "tables", "sections", "facts"),           # the load stage's internals, shared by every reader
    ("readers",),                                       # one reader per input format
    ("load",),                                          # picks a reader: the one entry point
    ("check",),
    ("reconstruct",),
    ("draft", "chart"),
    ("writers",),
    ("corpus",),
    ("notebooks",),
    ("cli",),
    ("__init__",),                                      # the package's exports
)


def _stage_of(module: str) -> int:
    """Stage index of ``reportkit.a.b`` (by its first part below the package)."""
    parts = module.split(".")[1:] or ["__init__"]
    for i, names in enumerate(STAGES):
        if parts[0] in names:
            return i
    raise AssertionError(f"{module} is in no stage of STAGES: add it where it belongs in the data flow")


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(SRC.rglob("*.py")):
        rel = p.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([PACKAGE, *parts])] = p
    return out


MODULES = _modules()


def _resolve(node: ast.ImportFrom | ast.Import, module: str, is_package: bool) -> list[str]:
    """The package modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")]
        return [n for n in names if n in MODULES]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
        return []
    out = []
    for a in node.names:
        sub = f"{target}.{a.name}"
        out.append(sub if sub in MODULES else target)
    return [t for t in dict.fromkeys(out) if t in MODULES]


def _imports() -> dict[str, list[tuple[str, int, bool]]]:
    """module → [(imported package module, line, at module top level)]."""
    graph: dict[str, list[tuple[str, int, bool]]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        found = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _resolve(node, module, path.name == "__init__.py"):
                    if target != module:
                        found.append((target, node.lineno, id(node) in top))
        graph[module] = found
    return graph


GRAPH = _imports()


def test_every_module_has_a_place_in_the_data_flow():
    for module in MODULES:
        _stage_of(module)


def test_imports_only_go_down_the_data_flow():
    upward = [f"{m}:{line} imports {t} (stage {STAGES[_stage_of(t)]} comes after {STAGES[_stage_of(m)]})"
              for m, edges in GRAPH.items() for t, line, _ in edges
              # a package's own __init__ is imported with any of its modules; that is not an arrow
              if _stage_of(t) > _stage_of(m) and not m.startswith(t + ".")]
    assert upward == []


def test_the_import_graph_has_no_cycle():
    edges = {m: sorted({t for t, _, _ in es if not m.startswith(t + ".")}) for m, es in GRAPH.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in edges.get(m, ()):
            if state.get(t) == 1:
                cycles.append(path[path.index(t):] + [t] if t in path else [m, t])
            elif t not in state:
                visit(t, path + [t])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_no_package_module_is_imported_inside_a_function_or_a_block():
    lazy = [f"{m}:{line} imports {t}" for m, es in GRAPH.items() for t, line, top in es if not top]
    assert lazy == []


def test_no_import_guards():
    guards = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if names & {"ModuleNotFoundError", "ImportError"}:
                    guards.append(f"{module}:{node.lineno}")
    assert guards == []


# ---------------------------------------------------------------------------------------------- labels

_ENUMERATOR = re.compile(rf"^{ENUMERATOR}\s*")
LONG = 5        # a label this long is unmistakable inside any string; shorter ones only on their own,
SHORT = 3       # and two-character ones (总计, 其他, 规章) are everyday words, not taken for labels


def _official_labels() -> set[str]:
    f = spec()
    out = {s.title for s in f.sections} | {_ENUMERATOR.sub("", s.title) for s in f.sections}
    for v in VERSIONS:
        for tid in TABLE_IDS:
            t = f.table(tid, v)
            out |= {t.title, t.name, t.corner or "", t.content_header or ""}
            out |= {b.label for b in t.blocks} | {c.label for c in t.columns}
            out |= {p for c in t.columns for p in c.path if p}
            out |= {r.label for r in t.rows} | {_ENUMERATOR.sub("", r.label) for r in t.rows}
    return {x for x in out if x}


LABELS = _official_labels()
TABLE_NAMES = {spec().table(tid).name for tid in TABLE_IDS}


def _literals(tree: ast.AST):
    """(line, text) of every string constant that is not a docstring."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def _typed_labels(text: str) -> set[str]:
    hits = {x for x in LABELS if (len(x) >= SHORT and x == text.strip()) or (len(x) >= LONG and x in text)}
    return hits | {x for x in TABLE_NAMES if x in text}


def test_the_label_finder_sees_a_typed_label():
    assert _typed_labels("法人或其他组织") and _typed_labels("见表三") and _typed_labels("自然人")
    assert not _typed_labels("本年度共收到申请") and not _typed_labels("行政复议|行政诉讼") and not _typed_labels("其他")


@pytest.mark.parametrize("path", sorted(MODULES.values()), ids=lambda p: str(p.relative_to(SRC)))
def test_no_official_label_is_typed_in_the_source(path):
    typed = [f"{line}: {sorted(hits)} in {text[:50]!r}" for line, text in _literals(ast.parse(path.read_text(encoding="utf-8")))
             if (hits := _typed_labels(text))]
    assert typed == []


# ---------------------------------------------------------------------------------------------- shared patterns

# The Chinese numerals are typed once, in text.py (NUMERALS, CN_DIGITS, CN_DIGIT); a pattern that needs
# them composes them from there, so every stage reads an enumerator with the same numerals.
_NUMERAL_RUN = "一二三四五六七八九十"


@pytest.mark.parametrize("path", sorted(MODULES.values()), ids=lambda p: str(p.relative_to(SRC)))
def test_only_text_types_the_run_of_chinese_numerals(path):
    if path == SRC / "text.py":
        return
    typed = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if _NUMERAL_RUN in line]
    assert typed == [], f"{path.name} types {_NUMERAL_RUN} on lines {typed}: use reportkit.text.CN_DIGIT(S)"
