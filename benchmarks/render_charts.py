"""Write a PNG of every chart, for the seed and a small synthetic corpus, and time each one.

    python benchmarks/render_charts.py [--out build/charts] [--n 30]

Files (``--out``, default ``build/charts``):

* ``seed-gaps.png``, ``seed-facts.png``, ``seed-outcomes.png``, ``seed-provenance.png``;
* ``synthetic-gaps.png`` … ``synthetic-provenance.png`` for one complete synthetic report;
* ``corpus-completeness.png`` and ``corpus-findings.png`` for the synthetic corpus (findings need
  ``reportkit.check``; without it that chart is skipped and the script says so).

The point is to look at them: overlapping labels and boxes instead of glyphs show up here first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

import reportkit as rk
from reportkit import chart, paths
from reportkit.reconstruct import reconstruct

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # tests.fixtures: the synthetic reports


def _check():
    import importlib
    try:
        return importlib.import_module("reportkit.check")
    except ModuleNotFoundError as e:
        if e.name != "reportkit.check":
            raise
        return None


def gaps_of(report) -> pd.DataFrame:
    """``reportkit.check.gaps`` when it exists; else the same columns built from the report itself."""
    check = _check()
    if check is not None and hasattr(check, "gaps"):
        return check.gaps(report)
    rows = [{"kind": "section", "section": s.number, "table": None, "row_id": None, "row": None,
             "column_id": None, "column": None,
             "status": "missing" if not s.present else ("empty" if s.is_empty(report.text) else "present")}
            for s in report.sections]
    cf = report.cells_frame()
    for r in cf.itertuples():
        rows.append({"kind": "cell", "section": None, "table": r.table, "row_id": r.row_id, "row": r.row,
                     "column_id": r.column_id, "column": r.column,
                     "status": "present" if r.state == "value" else r.state})
    return pd.DataFrame(rows)


def completeness_of(report) -> float:
    check = _check()
    if check is not None and hasattr(check, "completeness"):
        return check.completeness(report)
    cf = report.cells_frame()
    return float((cf["state"] == "value").mean())


def timed(label: str, make, out: Path, times: list) -> None:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a missing glyph is a failure here too
        fig = make()
        chart.save_png(fig, out)
    times.append((label, time.perf_counter() - t0, out))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=paths.BUILD / "charts")
    ap.add_argument("--n", type=int, default=30, help="files in the synthetic corpus")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    times: list = []

    t0 = time.perf_counter()
    chart.use_cjk_font()
    print(f"font: {chart.font_path()} registered in {time.perf_counter() - t0:.3f} s")

    seed = rk.load(paths.SEED_TEXT)
    rec = reconstruct(seed)
    per_report = [("gaps", lambda r, x: chart.gap_chart(gaps_of(r), x)),
                  ("facts", lambda r, x: chart.facts_chart(r)),
                  ("outcomes", lambda r, x: chart.outcomes_chart(x)),
                  ("provenance", lambda r, x: chart.provenance_chart(x))]
    for name, make in per_report:
        timed(f"seed {name}", lambda: make(seed, rec), out / f"seed-{name}.png", times)

    from tests.fixtures.synth import make_corpus
    with tempfile.TemporaryDirectory() as tmp:
        manifest = make_corpus(tmp, n=args.n, seed=1, years=(2021, 2022, 2023), defect_share=0.4)
        reports = []
        for row in manifest[manifest["kind"] == "report"].itertuples():
            try:
                reports.append((row, rk.load(Path(tmp) / row.file)))
            except rk.ReportError as e:
                print(f"skipped {row.file}: {e}", file=sys.stderr)
    complete = max(reports, key=lambda x: completeness_of(x[1]))[1]
    crec = reconstruct(complete)
    for name, make in per_report:
        timed(f"synthetic {name}", lambda: make(complete, crec), out / f"synthetic-{name}.png", times)

    frame = pd.DataFrame([{"agency": r.agency or row.agency, "year": r.year or row.year,
                           "completeness": completeness_of(r)} for row, r in reports])
    timed("corpus completeness", lambda: chart.completeness_chart(frame), out / "corpus-completeness.png", times)
    check = _check()
    if check is None:
        print("reportkit.check is not available: corpus-findings.png skipped", file=sys.stderr)
    else:
        findings = pd.concat([check.check(r).assign(source=row.file) for row, r in reports], ignore_index=True)
        timed("corpus findings", lambda: chart.findings_chart(findings), out / "corpus-findings.png", times)

    print(f"{len(reports)} synthetic reports; charts written to {out}")
    for label, secs, path in times:
        print(f"  {label:<24} {secs * 1000:7.0f} ms  {path.name}  {path.stat().st_size / 1024:6.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
