"""Writers: a reconstruction as Markdown, a standalone HTML page, Word, Excel or structured YAML/JSON.

Formats that carry data read back to the same cells — ``load(export(r))`` gives every exact value of
the reconstruction and NA for every unknown cell — for YAML, JSON, HTML and XLSX. Drafts
(:func:`reportkit.draft.draft`) go into the Markdown, HTML and Word exports when ``draft=`` is given.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import atomic_write
from ..reconstruct import Reconstruction
from .document import FORMATS, _doc
from .docx import _write_docx
from .html import to_html
from .markdown import to_markdown
from .structured import dumps, to_structured
from .xlsx import _write_xlsx


def export(reconstruction: Reconstruction, fmt: str, out, draft=None) -> Path:
    """Write ``reconstruction`` as ``fmt`` (md, html, docx, xlsx, yaml, json) to ``out`` and return the
    path. ``draft`` (a :class:`reportkit.draft.Draft`, optional) goes into md, html and docx."""
    fmt = str(fmt).lower().lstrip(".")
    if fmt == "yml":
        fmt = "yaml"
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    # Every export is written beside ``out`` and renamed over it only when complete: a failed write
    # (disk full, file-size limit) never truncates the previous good file.
    if fmt == "md":
        atomic_write(out, to_markdown(reconstruction, draft))
    elif fmt == "html":
        atomic_write(out, to_html(reconstruction, draft))
    elif fmt in ("yaml", "json"):
        atomic_write(out, dumps(to_structured(reconstruction), fmt))
    elif fmt == "docx":
        _write_docx(_doc(reconstruction), out, draft)
    else:
        _write_xlsx(_doc(reconstruction), out)
    return out
