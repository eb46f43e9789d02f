"""The main job: execute every notebook in ``notebooks/`` and render each to one self-contained HTML page.

``reportkit build`` (also ``./run build``) runs the numbered notebooks
top to bottom with the current environment's Python (the ``python3`` kernel of this interpreter, so the
editable ``reportkit`` is the one imported), in ``notebooks/`` as working directory, and writes
``build/NN-name.html`` plus ``build/index.html`` (one entry per notebook: its title and the first
sentence of its purpose, from its first Markdown cell).

A page must open on a machine with no network and no Chinese system font:

* images are already inline (matplotlib's inline backend sends base64 PNG);
* pages use nbconvert's lab template (``data/templates/page.html.j2`` extends it), which loads
  require.js, MathJax and mermaid from a CDN: every ``<script>`` element is removed (the pages need no
  JavaScript), and so is any ``<link>`` to another host;
* the Chinese glyphs the pages use are embedded as a subset of the bundled Noto Sans SC (from the
  ``zhplot`` wheel) in an ``@font-face`` limited to CJK code points, so Latin text keeps the template's
  fonts; code and text outputs get a subset of DejaVu Sans Mono (shipped with matplotlib) and the CJK
  glyphs scaled to two monospace cells, so pandas tables of Chinese text line up. One subset serves all
  pages of a build (subsetting is the slow part).

Determinism, because executed notebooks are committed (``--in-place``): no timing metadata, stream
chunks merged, a fixed hash seed and inline matplotlib backend in the kernel, no timestamps in pages.

Exit status: 0 every notebook ran, 1 a notebook raised (its page is still written, showing the error,
and with ``--in-place`` the notebook file is left untouched), 2 usage error.
"""

from __future__ import annotations

import functools
import html
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import paths
from .fonts import FONT_FAMILY, MONO_CJK_SCALE, cjk_font_src, font_file, is_cjk, mono_font_file, open_font, woff
from . import rx

NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"
PAGE_TEMPLATE = Path(__file__).resolve().parent / "data" / "templates" / "page.html.j2"
KERNEL_NAME = "python3"
CELL_TIMEOUT = 600          # seconds per cell; a hung cell fails the build instead of hanging CI


# The kernel's environment: same hash order and figure backend on every run (stable outputs).
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "SOURCE_DATE_EPOCH": "0",
    # debugpy warns on every start under Python 3.11's frozen modules; it is noise in a batch run
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
}
# Command-line settings of each build kernel (a user's kernel in JupyterLab keeps its defaults; outputs
# are the same, only the cost differs).
KERNEL_ARGS = [
    # A build kernel is a batch job that draws charts: matplotlib makes many short-lived objects, and the
    # default threshold (a collection every 700 allocations) spends a tenth of a chart notebook's time in
    # the garbage collector. Bound to no name, so the notebook's namespace is what a user's kernel has.
    "--IPKernelApp.exec_lines=__import__('gc').set_threshold(50_000, 20, 10)",
    # reportkit's charts fit themselves to their figure (constrained layout); the inline backend's default
    # bbox_inches="tight" measures every text again to crop what is already fitted.
    "--InlineBackend.print_figure_kwargs={'bbox_inches': None}",
]


@dataclass
class Page:
    """One notebook of the build: where it came from, what it is called, and how the run went."""

    notebook: Path
    html: Path
    title: str
    purpose: str
    seconds: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    text: str = field(default="", repr=False)     # the rendered page, before fonts are embedded


# ---------------------------------------------------------------------------------------------------------
# Finding and describing notebooks

def notebook_paths(only: Iterable[str] | None = None, folder: Path | None = None) -> list[Path]:
    """The numbered notebooks (``NN-name.ipynb``) in ``folder`` (default ``notebooks/``), in order.

    ``only`` keeps those whose file name starts with one of the given prefixes (``["03"]``, ``["03-rec"]``).
    """
    folder = Path(folder or paths.NOTEBOOKS)
    found = sorted(folder.glob(NOTEBOOK_GLOB))
    if only:
        wanted = [w.strip() for item in only for w in str(item).split(",") if w.strip()]
        found = [p for p in found if any(p.name.startswith(w) for w in wanted)]
    return found


def _plain(markdown: str) -> str:
    """Markdown inline syntax removed, for the one-line purpose in the index (escaped later)."""
    s = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"[*_`]+", "", s)
    return " ".join(s.split())


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (up to a full stop followed by a space, or a 。), for one-line lists."""
    m = re.search(r"(?<=[.!?])\s|(?<=。)", text)
    return text[:m.start()].strip() if m else text.strip()


def describe(nb) -> tuple[str, str]:
    """(title, purpose) of a notebook: the H1 and the first paragraph of its first Markdown cell."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), "")
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cell.source) if p.strip()]
        purpose = next((p for p in paragraphs if not p.startswith("#")), "")
        return _plain(title), _plain(purpose)
    return "", ""


# ---------------------------------------------------------------------------------------------------------
# Executing

def inject_parameters(nb, params: dict[str, object]):
    """Insert a cell assigning ``params`` after the ``parameters``-tagged cell (papermill's convention:
    the new cell is tagged ``injected-parameters``). Returns the notebook (changed in place)."""
    import nbformat
    if not params:
        return nb
    src = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["tags"] = ["injected-parameters"]
    at = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), -1)
    nb.cells.insert(at + 1, cell)
    return nb


def kernel_manager():
    """A kernel manager for this interpreter's ipykernel, whatever kernelspecs the user has installed.

    An empty ``kernel_dirs`` makes jupyter_client fall back to ipykernel's native spec, whose command is
    ``sys.executable -m ipykernel_launcher``: the venv running the build is the venv of the kernel.
    """
    import zmq
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    ksm = KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
    if zmq.has("curve"):
        # otherwise the kernel warns at every start that it talks plain TCP (CurveZMQ keys per kernel)
        km.transport_encryption = "auto"
    return km


def _client(nb, cwd: Path):
    from nbclient import NotebookClient
    return NotebookClient(nb, km=kernel_manager(), kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT,
                          record_timing=False, allow_errors=False,
                          extra_arguments=list(KERNEL_ARGS),
                          resources={"metadata": {"path": str(cwd)}})


async def execute_async(nb, cwd: Path | None = None):
    """Run every code cell of ``nb`` (a NotebookNode) in a fresh kernel; returns the notebook.

    Raises ``nbclient.exceptions.CellExecutionError`` on the first failing cell (outputs up to and
    including that cell are kept in ``nb``)."""
    env = {**os.environ, **KERNEL_ENV}
    client = _client(nb, Path(cwd or paths.NOTEBOOKS))
    return await client.async_execute(cleanup_kc=True, env=env)


def execute(nb, cwd: Path | None = None):
    """Synchronous ``execute_async``."""
    import asyncio
    return asyncio.run(execute_async(nb, cwd))


def tidy(nb):
    """Keep only what is deterministic and needed in a stored notebook (changed in place)."""
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
    return nb


def _merge_streams(outputs: list) -> list:
    """Consecutive stdout (or stderr) chunks as one output: how the kernel chunks a print depends on
    timing, and the stored notebook must not change from run to run."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")):
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def local_paths() -> list[str]:
    """Machine-local path prefixes that must not appear in stored outputs."""
    out = {str(paths.ROOT), str(Path.home())}
    # This user's home comes from Path.home(); also other users' homes, temp files, Windows profiles.
    out |= {"/home/", "/Users/", "/tmp/", "C:\\Users"}
    return sorted(p for p in out if p and p not in ("/", "."))


def output_problems(nb) -> list[str]:
    """Errors, stderr and machine-local paths in a notebook's outputs (one line each; empty = clean)."""
    problems = []
    marks = local_paths()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"cell {i}: error {out.get('ename')}: {out.get('evalue')}")
                continue
            if kind == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {i}: writes to stderr: {out.get('text', '')[:120]!r}")
            texts = [out.get("text", "")] if kind == "stream" else [
                v for k, v in out.get("data", {}).items() if k.startswith("text/")]
            for t in texts:
                t = "".join(t) if isinstance(t, list) else t
                hit = next((m for m in marks if m in t), None)
                if hit:
                    problems.append(f"cell {i}: output shows a machine-local path ({hit}…)")
    return problems


# ---------------------------------------------------------------------------------------------------------
# Rendering

_ANSI = rx.lazy(r"\x1b\[[0-9;]*m")     # colours in tracebacks
_SCRIPT = rx.lazy(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK = rx.lazy(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_MATHJAX_COMMENTS = rx.lazy(r"<!--\s*(?:Load mathjax|MathJax configuration|End of mathjax configuration)"
                               r"\s*-->", re.IGNORECASE)


def clean_html(page: str) -> str:
    """Make an nbconvert page self-contained: drop every ``<script>`` element (require.js, MathJax and
    mermaid come from a CDN; the pages need no JavaScript, and no script can run from a report's text)
    and every ``<link>`` to another host. Text is left as nbconvert escaped it."""
    page = _SCRIPT.sub("", page)
    page = _EXTERNAL_LINK.sub("", page)
    return _MATHJAX_COMMENTS.sub("", page)


def font_css(text: str, cjk_font=None) -> str:
    """A ``<style>`` block that embeds the glyphs ``text`` needs, so the page shows Chinese without any
    Chinese font installed: a subset of the bundled Noto Sans SC for CJK code points (prose and code), and
    a subset of DejaVu Sans Mono for code and text outputs (so CJK columns line up). Empty when the text
    has no CJK character or the fonts are not found. ``cjk_font``: Noto Sans SC already opened by
    ``fonts.open_font`` (used up)."""
    src = cjk_font_src(text, cjk_font)
    if not src:
        return ""
    mono = mono_font_file()
    stack = f"'{FONT_FAMILY}', 'Noto Sans SC', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei'"
    css = [f"@font-face {{ font-family: '{FONT_FAMILY}'; {src} }}"]
    code_stack = "Menlo, Consolas, 'DejaVu Sans Mono', " + stack + ", monospace"
    if mono is not None:
        ascii_ = range(0x20, 0x7F)
        latin = {ord(ch) for ch in set(text) if not is_cjk(ch) and ord(ch) >= 0x20}
        css.append(f"@font-face {{ font-family: '{FONT_FAMILY}-mono'; src: url(data:font/woff;base64,"
                   f"{woff(mono, set(ascii_) | latin)}) format('woff'); font-display: block; }}")
        # the same CJK glyphs again, scaled to two monospace cells
        css.append(f"@font-face {{ font-family: '{FONT_FAMILY}-mono-cjk'; {src}"
                   f" size-adjust: {100 * MONO_CJK_SCALE:.2f}%; }}")
        code_stack = f"'{FONT_FAMILY}-mono', '{FONT_FAMILY}-mono-cjk', " + code_stack
    css.append(f":root {{ --jp-content-font-family: {stack}, system-ui, -apple-system, 'Segoe UI', Helvetica,"
               f" Arial, sans-serif; --jp-ui-font-family: var(--jp-content-font-family);"
               f" --jp-code-font-family: {code_stack}; }}")
    css.append("body { font-family: var(--jp-content-font-family); }")
    return "<style>\n" + "\n".join(css) + "\n</style>\n"


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _with_font(page: str, css: str | None = None) -> str:
    """``page`` with the font ``<style>`` before ``</head>`` (made for this page unless ``css`` is given)."""
    css = font_css(_visible_text(page)) if css is None else css
    return page.replace("</head>", css + "</head>", 1) if css else page


IMAGE_ALT = "图表"       # nbconvert's own is English ("No description has been provided for this image")
_IMG_WITHOUT_ALT = rx.lazy(r"<img\b(?![^>]*\balt=)")
_FOCUSABLE = rx.lazy(r'<div class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"')


@functools.lru_cache(maxsize=2)
def _exporter(no_input: bool):
    """One HTML exporter per setting, with a lock: an exporter compiles its Jinja templates when first
    used (a third of rendering a small page), and it keeps per-call state, so two build threads must not
    share it at the same time."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            """``HTMLExporter.from_notebook_node`` up to its last step, which parses the whole page with
            BeautifulSoup (base64 charts included) to add alt text to images and tabindex to cells: most
            of rendering a page of charts. ``_accessible`` adds the same attributes with two regexes."""
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = PageExporter(template_name="lab", embed_images=True, template_file=PAGE_TEMPLATE.name,
                            extra_template_paths=[str(PAGE_TEMPLATE.parent)])
    if no_input:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    return exporter, threading.Lock()


def _accessible(page: str) -> str:
    """What nbconvert's page pass adds: alt text on images without one, and cells reachable by keyboard."""
    page = _IMG_WITHOUT_ALT.sub(f'<img alt="{IMAGE_ALT}"', page)
    return _FOCUSABLE.sub(lambda m: m.group(0) + ' tabindex="0"', page)


def render_html(nb, no_input: bool = False, fonts: bool = True) -> str:
    """One self-contained HTML page for an executed notebook (lab template, then ``clean_html`` and the
    embedded CJK font). ``no_input`` hides code cells and prompts; ``fonts=False`` leaves the font out
    (the build embeds one subset made for all its pages at once: subsetting is the slow part)."""
    exporter, lock = _exporter(no_input)
    with lock:
        body, _ = exporter.from_notebook_node(nb)
    body = clean_html(_accessible(body))
    return _with_font(body) if fonts else body


def index_html(pages: list[Page], no_input: bool = False, fonts: bool = True) -> str:
    """The build's front page: one line per notebook (title, purpose); every text escaped."""
    items = []
    for p in pages:
        state = f' <span class="err">(failed: {html.escape(p.error)})</span>' if p.error else ""
        items.append(f'<li><a href="{html.escape(p.html.name, quote=True)}">{html.escape(p.title or p.notebook.stem)}'
                     f'</a>{state}<br><span class="purpose">{html.escape(first_sentence(p.purpose))}</span></li>')
    note = "code hidden" if no_input else "code shown"
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>reportkit notebooks</title>\n"
        "<style>body{max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
        "font-family:'" + FONT_FAMILY + "',system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif}"
        "li{margin:0 0 1rem}.purpose{color:#444}.err{color:#b00}</style>\n</head>\n<body>\n"
        "<h1>reportkit notebooks</h1>\n"
        "<p>Each page is one notebook of <code>notebooks/</code>, executed top to bottom by "
        f"<code>reportkit build</code> ({note}).</p>\n<ol>\n" + "\n".join(items) +
        "\n</ol>\n</body>\n</html>\n")
    return _with_font(page) if fonts else page


# ---------------------------------------------------------------------------------------------------------
# The build

def _display(p: Path) -> str:
    """A path for messages: relative to the working directory or the repository, never absolute."""
    for base in (Path.cwd(), paths.ROOT):
        try:
            return str(p.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return p.name


async def _build_one(path: Path, out_dir: Path, no_input: bool, in_place: bool, params: dict,
                     sem: asyncio.Semaphore) -> Page:
    import asyncio
    import nbformat
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(path, as_version=4)
    title, purpose = describe(nb)
    page = Page(path, out_dir / (path.stem + ".html"), title, purpose)
    inject_parameters(nb, params)
    async with sem:
        t0 = time.perf_counter()
        try:
            await execute_async(nb, path.parent)
        except CellExecutionError as e:
            last = _ANSI.sub("", str(e)).strip().splitlines()
            page.error = last[-1][:200] if last else type(e).__name__
        except Exception as e:     # kernel died, timeout: still write what we have and go on
            page.error = f"{type(e).__name__}: {e}"[:200]
        page.seconds = time.perf_counter() - t0
    tidy(nb)
    if not page.error:
        page.warnings = output_problems(nb)
    # In a thread, so the event loop keeps feeding cells to the other kernels meanwhile.
    page.text = await asyncio.to_thread(render_html, nb, no_input, False)
    if in_place and not page.error:
        nbformat.write(nb, path)
    return page


async def build_async(only=None, *, no_input: bool = False, in_place: bool = False, jobs: int = 2,
                      params: dict | None = None, out_dir: Path | None = None,
                      folder: Path | None = None) -> list[Page]:
    """Async ``build``."""
    import asyncio
    out_dir = Path(out_dir or paths.BUILD)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = notebook_paths(only, folder)
    sem = asyncio.Semaphore(max(1, jobs))
    # The pages' font subset is made after the last notebook, when nothing else is left to run: open the
    # font (two thirds of the work, whatever the text) meanwhile.
    cjk_path = font_file()
    opening = asyncio.ensure_future(asyncio.to_thread(open_font, cjk_path)) if cjk_path else None
    # Longest first, so the slowest notebook does not start last (fewer idle cores at the end). The stored
    # notebook's size is a good proxy for its run time: the slow cells are the ones that draw charts,
    # and their PNG outputs are what makes a notebook file big.
    order = sorted(todo, key=lambda p: -p.stat().st_size)
    tasks = {p: asyncio.ensure_future(_build_one(p, out_dir, no_input, in_place, params or {}, sem))
             for p in order}
    pages = [await tasks[p] for p in todo]
    # The index lists every notebook of the folder, built in this run or not, so --only keeps it whole.
    import nbformat
    listed = []
    done = {p.notebook: p for p in pages}
    for nbp in notebook_paths(None, folder):
        if nbp in done:
            listed.append(done[nbp])
        else:
            t, pur = describe(nbformat.read(nbp, as_version=4))
            listed.append(Page(nbp, out_dir / (nbp.stem + ".html"), t, pur))
    index = index_html(listed, no_input, fonts=False)
    # One font subset for every page of this build (the union of their characters).
    css = font_css("".join(_visible_text(t) for t in [index, *(p.text for p in pages)]),
                   cjk_font=await opening if opening else None)
    for p in pages:
        p.html.write_text(_with_font(p.text, css), encoding="utf-8")
        p.text = ""
    (out_dir / "index.html").write_text(_with_font(index, css), encoding="utf-8")
    return list(pages)


def build(only=None, *, no_input: bool = False, in_place: bool = False, jobs: int = 2,
          params: dict | None = None, out_dir: Path | None = None, folder: Path | None = None) -> list[Page]:
    """Execute the notebooks (``only``: name prefixes such as ``["03"]``) and write one HTML page each
    plus ``index.html`` to ``out_dir`` (default ``build/``).

    ``jobs`` notebooks run at once (each in its own kernel); ``params`` are injected after each
    notebook's ``parameters`` cell; ``in_place`` writes the executed notebooks back (only those that ran
    without error). Returns one ``Page`` per notebook built (``error`` set when it failed)."""
    import asyncio
    if in_place and params:
        raise ValueError("--in-place with parameters would store another report's outputs in notebooks/")
    return asyncio.run(build_async(only, no_input=no_input, in_place=in_place, jobs=jobs, params=params,
                                   out_dir=out_dir, folder=folder))
