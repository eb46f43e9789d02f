"""``reportkit build``: execute the notebooks and write build/*.html (the main job)."""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

from .. import notebooks, paths
from ..notebooks import NOTEBOOK_GLOB, _display, build, notebook_paths

def _parse_param(item: str) -> tuple[str, object]:
    name, sep, raw = item.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {item!r}")
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = raw
    if isinstance(value, str) and value and Path(value).exists():
        # the kernel runs in notebooks/, so a path given relative to the caller is made absolute
        value = str(Path(value).resolve())
    return name, value


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", action="append", metavar="NN",
                   help="build only notebooks whose name starts with NN (repeatable, or comma-separated)")
    p.add_argument("--no-input", action="store_true", help="hide code cells in the HTML pages")
    p.add_argument("--in-place", action="store_true",
                   help="also write the executed notebooks back into notebooks/ (before committing)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    p.add_argument("-p", "--param", action="append", default=[], type=_parse_param, metavar="NAME=VALUE",
                   help="override a parameter of the notebooks, e.g. -p REPORT=data/corpus/complete/003.txt")
    p.add_argument("--out", type=Path, default=None, help="output folder (default build/)")
    p.set_defaults(func=_cmd_build)


def _cmd_build(args) -> int:
    params = dict(args.param)
    if args.in_place and params:
        print("reportkit build: --in-place cannot be combined with -p (it would commit another report's "
              "outputs)", file=sys.stderr)
        return 2
    todo = notebook_paths(args.only)
    if not todo:
        print(f"reportkit build: no notebook matches {args.only or NOTEBOOK_GLOB} in "
              f"{_display(paths.NOTEBOOKS)}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    pages = build(args.only, no_input=args.no_input, in_place=args.in_place, jobs=args.jobs,
                  params=params, out_dir=args.out)
    out_dir = Path(args.out or paths.BUILD)
    for p in pages:
        state = f"FAILED {p.error}" if p.error else "ok"
        print(f"{_display(p.html)}  {p.seconds:5.1f}s  {state}", file=sys.stderr)
        for w in p.warnings:
            print(f"  warning: {p.notebook.name} {w}", file=sys.stderr)
    print(f"{_display(out_dir / 'index.html')}  {len(pages)} notebook(s) in {time.perf_counter() - t0:.1f}s"
          + ("; notebooks/ updated" if args.in_place else ""), file=sys.stderr)
    # data on stdout: the pages written, one per line
    for p in pages:
        print(_display(p.html))
    return 1 if any(p.error for p in pages) else 0


def add(sub) -> None:
    """Register ``reportkit build``."""
    p = sub.add_parser("build", help="execute the notebooks and write build/*.html (the main job)",
                       description=notebooks.__doc__.split("\n\n")[0] + " Pages go to build/ with an index.html.")
    _configure(p)
