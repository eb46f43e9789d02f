"""Writers: a reconstruction as Markdown, a standalone HTML page, Word, Excel or structured YAML/JSON.

Formats that carry data read back to the same cells — ``load(export(r))`` gives every exact value of
the reconstruction and NA for every unknown cell — for YAML, JSON, HTML and XLSX. Drafts
(:func:`reportkit.draft.draft`) go into the Markdown, HTML and Word exports when ``draft=`` is given.
"""

from __future__ import annotations

from pathlib import Path

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
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(to_markdown(reconstruction, draft), encoding="utf-8")
    elif fmt == "html":
        out.write_text(to_html(reconstruction, draft), encoding="utf-8")
    elif fmt in ("yaml", "json"):
        out.write_text(dumps(to_structured(reconstruction), fmt), encoding="utf-8")
    elif fmt == "docx":
        _write_docx(_doc(reconstruction), out, draft)
    else:
        _write_xlsx(_doc(reconstruction), out)
    return out
