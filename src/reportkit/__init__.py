"""reportkit: load, check, reconstruct, chart and draft Chinese government information-disclosure
annual reports (政府信息公开工作年度报告) in the official 2021 format (国办公开办函〔2021〕30号).

The flow, one module per stage::

    format  →  load  →  check  →  reconstruct  →  chart / draft / export  →  corpus

``reportkit.load_corpus(folder)`` runs load and check over many reports in parallel.

The stage modules are callable, so both ``reportkit.check(report)`` and ``reportkit.check.gaps(report)``
work (likewise ``reconstruct``, ``draft``, ``export``).

>>> import reportkit as rk
>>> report = rk.load(rk.paths.SEED_TEXT)
>>> [s.number for s in report.sections if s.is_empty(report.text)]
[2, 3, 4, 6]
>>> rk.reconstruct(report).cell("requests", "new", "total").provenance
'stated-prose'
"""

from . import paths
from .errors import ReportError
from .format import spec
from .load import load, loads
from .model import Report
from . import check, reconstruct, draft, export  # noqa: E402  (callable stage modules)
from .check import gaps, completeness
from .corpus import load_corpus

__all__ = ["load", "loads", "check", "gaps", "completeness", "reconstruct", "draft", "export", "load_corpus",
           "Report", "ReportError", "spec", "paths"]
__version__ = "0.1.0"
