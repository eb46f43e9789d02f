"""reportkit: load, check, reconstruct, chart and draft Chinese government information-disclosure
annual reports (政府信息公开工作年度报告) in the official 2021 format (国办公开办函〔2021〕30号).

The flow, one module per stage::

    format  →  readers  →  load  →  check  →  reconstruct  →  chart / draft  →  writers  →  corpus

The package exports each stage's main function: ``reportkit.check(report)``, ``reportkit.gaps(report)``,
``reportkit.reconstruct(report)``, ``reportkit.draft(rec)``, ``reportkit.export(rec, fmt, out)``; the
rest of a stage is in its module (``from reportkit.check import rules``).

>>> import reportkit as rk
>>> report = rk.load(rk.paths.SEED_TEXT)
>>> [s.number for s in report.sections if s.is_empty(report.text)]
[2, 3, 4, 6]
>>> rk.reconstruct(report).cell("requests", "new", "total").provenance
'stated-prose'
"""

from . import paths
from .check import check, completeness, gaps, rules
from .corpus import load_corpus
from .draft import draft
from .errors import ReportError
from .format import spec
from .load import load, loads
from .model import Report
from .reconstruct import reconstruct
from .writers import export

__all__ = ["load", "loads", "check", "gaps", "completeness", "rules", "reconstruct", "draft", "export",
           "load_corpus", "Report", "ReportError", "spec", "paths"]
__version__ = "0.1.0"
