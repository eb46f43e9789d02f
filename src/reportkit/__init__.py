"""reportkit: load, check, reconstruct, chart and draft Chinese government information-disclosure
annual reports (政府信息公开工作年度报告) in the official 2021 format (国办公开办函〔2021〕30号).

The flow, one module per stage::

    format  →  load  →  check  →  reconstruct  →  chart / draft / export  →  corpus

>>> import reportkit as rk
>>> report = rk.load(rk.paths.SEED_TEXT)
>>> [s.number for s in report.sections if s.present]
[1, 2, 3, 4, 5, 6]
"""

from .errors import ReportError
from .format import spec
from .load import load, loads
from .model import Report
from . import paths

__all__ = ["load", "loads", "Report", "ReportError", "spec", "paths"]
__version__ = "0.1.0"
