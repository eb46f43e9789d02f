"""Charts of one report or many, as matplotlib Figures in one style, titled in Chinese.

Chinese must render on a fresh machine after a plain ``pip install``: no system font, no apt, no conda.
The glyphs come from ``NotoSansSC-Regular.ttf`` (SIL OFL), shipped inside the PyPI package ``zhplot``.
We locate that file with ``importlib.util.find_spec`` instead of importing zhplot, because importing it
rewrites matplotlib's global ``font.family``; reportkit registers the file with matplotlib's font
manager itself (:func:`use_cjk_font`) and applies its settings only inside :func:`style`, which every
chart function uses. Importing this module changes nothing global.

Charts:

* :func:`gap_chart`          sections and table cells: present / empty / unreadable / missing (and, given a
                             reconstruction, what the prose or the identities fill in);
* :func:`facts_chart`        the numbers a report's prose states, one bar per fact, one panel per unit;
* :func:`outcomes_chart`     the outcome rows of table 三 (总计 column) from a reconstruction's exact values;
* :func:`provenance_chart`   every cell of tables 三, 二 and 四 coloured by where its value comes from;
* :func:`completeness_chart` many reports: completeness by agency and year;
* :func:`findings_chart`     many reports: findings per rule.

:func:`save_svg` writes byte-for-byte repeatable SVG (fixed hash salt, no date), so tests and notebooks
can compare files; :func:`save_png` writes PNG without the software tag.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .format import read_data, row_name, spec
from . import rx
from .text import NUMERALS, num_text

FONT_PACKAGE = "zhplot"
FONT_FILE = "NotoSansSC-Regular.ttf"
HASH_SALT = "reportkit"

# One palette for every status and provenance colour (Okabe–Ito, readable by colour-blind readers).
# A cell read from the table and a present section share a colour: both mean "the report says it".
PALETTE = {
    "present": "#009E73", "stated-table": "#009E73",
    "stated-prose": "#56B4E9",
    "inferred": "#0072B2",
    "bounded": "#E69F00",
    "empty": "#F0E442", "blank": "#F0E442",
    "unreadable": "#D55E00",
    "missing": "#CCCCCC", "unknown": "#CCCCCC",
    "error": "#D55E00", "warning": "#E69F00", "info": "#56B4E9",
}
LABELS = {
    "present": "已填写", "stated-table": "表格填报", "stated-prose": "正文说明", "inferred": "勾稽推算",
    "bounded": "仅知范围", "empty": "空白", "blank": "空白", "unreadable": "无法读取", "missing": "缺失",
    "unknown": "未知", "error": "错误", "warning": "警告", "info": "提示",
}
NO_DATA = "无数据"
_ACCENT = PALETTE["inferred"]           # bars that are not coloured by provenance
_OTHER = "#999999"                      # a status or severity this module does not know


def font_path() -> Path:
    """The bundled CJK font file inside the installed ``zhplot`` package (found without importing it)."""
    found = importlib.util.find_spec(FONT_PACKAGE)
    if found is None or not found.submodule_search_locations:
        raise RuntimeError(f"reportkit charts need the PyPI package {FONT_PACKAGE!r} (it ships {FONT_FILE}); "
                           f"reinstall reportkit with its dependencies")
    path = Path(next(iter(found.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise RuntimeError(f"{path} is missing from the installed {FONT_PACKAGE} package")
    return path


def use_cjk_font() -> str:
    """Register the bundled font with matplotlib's font manager (once per process; added fonts are not
    cached on disk, so this must run in every process) and return its family name, read from the file."""
    path = str(font_path())
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def rc() -> dict:
    """The rcParams of reportkit charts: the bundled CJK font first, a quiet frame, a fixed SVG salt.
    Usable directly, e.g. ``matplotlib.rcParams.update(reportkit.chart.rc())`` in a notebook."""
    return {
        # No fallback family: Noto Sans SC has 30,000 code points (Latin, Greek, Cyrillic, the symbols and
        # punctuation reports use); a second family costs a font lookup per text, a sixth of drawing a table.
        "font.family": [use_cjk_font()],
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "axes.labelcolor": "#333333",
        "xtick.color": "#555555",
        "ytick.color": "#555555",
        "figure.titlesize": 13,
        "figure.facecolor": "white",
        "legend.frameon": False,
        "svg.hashsalt": HASH_SALT,
        "svg.fonttype": "path",     # glyphs as paths: the SVG shows Chinese without the font installed
    }


@contextlib.contextmanager
def style():
    """Apply :func:`rc` for the duration of a ``with`` block (nothing leaks out of it)."""
    with matplotlib.rc_context(rc()):
        yield


def save_svg(fig: Figure, path_or_buffer) -> None:
    """Write ``fig`` as SVG whose bytes depend only on the figure: ids are salted with a fixed string and
    the date is left out of the metadata."""
    if isinstance(path_or_buffer, (str, Path)):
        Path(path_or_buffer).parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": HASH_SALT, "svg.fonttype": "path"}):
        fig.savefig(path_or_buffer, format="svg", metadata={"Date": None})


def save_png(fig: Figure, path, dpi: int = 150) -> None:
    """Write ``fig`` as PNG (no software tag; pixels still depend on the FreeType/matplotlib version)."""
    if isinstance(path, (str, Path)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})


# ---------------------------------------------------------------------------------------------- helpers

def _figure(width: float, height: float) -> Figure:
    # A bare Figure, not pyplot: no global figure registry, nothing to close, works headless.
    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Figure, title: str) -> Figure:
    fig.suptitle(title, x=0.01, ha="left")
    # Every text takes its font from the style when it is created. Ticks are made at draw time, outside
    # the style (a notebook's display hook), but as copies of each axis's first tick, which an axis makes
    # when it is created or first asked for it: asking here makes sure it exists under the style. (A
    # whole draw did the same at the cost of one more layout and draw than the display's own.)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.majorTicks[0], axis.minorTicks[0]
    return fig


def _title(report, what: str) -> str:
    """'朔州市公安局 2021年度报告 · 缺项概览' (agency or file name, and year when known)."""
    if report is None:
        return what
    name = report.agency or Path(str(report.source)).stem
    return f"{name} {report.year}年度报告 · {what}" if report.year else f"{name} · {what}"


def _no_data(ax, message: str = NO_DATA) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color="#777777", transform=ax.transAxes)
    ax.set_axis_off()


def _cell(ax, rect: Rectangle) -> None:
    """Add a grid cell to ``ax``, whose limits the caller sets. ``add_patch`` would also grow the data
    limits by the cell's path, which the fixed limits never use: most of the time of building a grid of
    a few hundred cells."""
    rect.set_clip_path(ax.patch)
    ax.add_artist(rect)


def _ink(color: str) -> str:
    r, g, b = matplotlib.colors.to_rgb(color)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "#222222"


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _legend(fig: Figure, keys) -> None:
    handles = [Patch(facecolor=PALETTE.get(k, _OTHER), edgecolor="#888888", linewidth=0.5, label=LABELS.get(k, k))
               for k in keys]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6), fontsize=9)


def _table_name(tid: str, version: str = "2021") -> str:
    return spec().table(tid, version).name


def provenance_of(est) -> str:
    """The provenance class of a cell estimate for colouring: its provenance, or ``bounded`` when the
    value is unknown but the constraints narrow it (a lower bound above 0 or any upper bound)."""
    if est is None:
        return "unknown"
    if est.value is None:
        if est.high is not None or (est.low is not None and est.low > 0):
            return "bounded"
        return "unknown"
    return est.provenance if est.provenance in PALETTE else "inferred"


# ----------------------------------------------------------------------------------------------- charts

_GAP_ORDER = ("present", "stated-prose", "inferred", "empty", "unreadable", "missing")


def gap_chart(gaps: pd.DataFrame, reconstruction=None, title: str | None = None) -> Figure:
    """Sections and table cells by status, from ``reportkit.check.gaps(report)`` (columns ``kind``,
    ``section``, ``table``, ``row_id``, ``column_id``, ``status``). Given a reconstruction, cells the table
    lacks but the prose or the identities supply are shown as ``stated-prose`` / ``inferred``."""
    status = gaps["status"].replace({"blank": "empty"})
    if reconstruction is not None:
        def filled(row, st):
            if row["kind"] != "cell" or st == "present":
                return st
            est = reconstruction.cells.get((row["table"], row["row_id"], row["column_id"]))
            return est.provenance if est is not None and est.value is not None and est.provenance in (
                "stated-prose", "inferred") else st
        status = pd.Series([filled(r, s) for (_, r), s in zip(gaps.iterrows(), status)], index=gaps.index)
    g = gaps.assign(status=status)
    report = reconstruction.report if reconstruction is not None else None
    version = reconstruction.version if reconstruction is not None else "2021"
    with style():
        fig = _figure(8, 4.2)
        top, bottom = fig.subplots(2, 1, height_ratios=[1, 2.2])
        secs = g[g["kind"] == "section"].sort_values("section")
        for i, (_, s) in enumerate(secs.iterrows()):
            n, st = int(s["section"]), s["status"]
            color = PALETTE.get(st, _OTHER)
            _cell(top, Rectangle((i + 0.04, 0), 0.92, 1, facecolor=color, edgecolor="white",
                                    gid=f"section.{n}"))
            top.text(i + 0.5, 0.5, f"{NUMERALS[n]}、{spec().section(n).short}\n{LABELS.get(st, st)}", ha="center",
                     va="center", color=_ink(color), fontsize=9)
        top.set_xlim(0, max(len(secs), 1))
        top.set_ylim(0, 1)
        top.set_axis_off()
        top.set_title("六个部分")
        cells = g[g["kind"] == "cell"]
        tables = [t for t in ("proactive", "requests", "appeals") if (cells["table"] == t).any()]
        used = set(secs["status"])
        # A status this module does not know still gets drawn (grey, its own name), never dropped.
        order = _GAP_ORDER + tuple(sorted(set(cells["status"]) - set(_GAP_ORDER)))
        for y, tid in enumerate(tables):
            part = cells[cells["table"] == tid]["status"].value_counts()
            total, left = int(part.sum()), 0.0
            for st in order:
                k = int(part.get(st, 0))
                if not k:
                    continue
                used.add(st)
                w = k / total
                color = PALETTE.get(st, _OTHER)
                bottom.barh(y, w, left=left, color=color, edgecolor="white", height=0.6, gid=f"{tid}.{st}")
                if w >= 0.025:
                    bottom.text(left + w / 2, y, str(k), ha="center", va="center", color=_ink(color))
                left += w
        bottom.set_yticks(range(len(tables)),
                          labels=[f"{_table_name(t, version)}（{int((cells['table'] == t).sum())}格）" for t in tables])
        bottom.invert_yaxis()
        bottom.set_xlim(0, 1)
        bottom.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        bottom.set_title("表格单元格")
        if not tables:
            _no_data(bottom)
        _legend(fig, [k for k in order if k in used])
        return _finish(fig, title or _title(report, "缺项概览"))


def facts_chart(report, title: str | None = None) -> Figure:
    """The numbers a report's prose states (``report.facts``), one bar per fact labelled by what it counts
    (:func:`fact_labels`; a number whose text does not say is left out), one panel per unit (条, 件, %,
    万元 … are not comparable). Accepts a Report or a Reconstruction."""
    report = getattr(report, "report", report)
    names = fact_labels(report)
    facts = [(i, f) for i, f in enumerate(report.facts) if i in names]
    units = list(dict.fromkeys(f.unit for _, f in facts))
    with style():
        if not facts:
            fig = _figure(7, 2.5)
            _no_data(fig.subplots())
            return _finish(fig, title or _title(report, "正文所述数字"))
        # Constrained layout sizes the axes boxes (decorations aside) by these ratios; with the y span
        # of each panel equal to its ratio, every bar is equally thick whatever its panel.
        sizes = [sum(f.unit == u for _, f in facts) + 0.2 for u in units]
        fig = _figure(8, 0.8 + 0.32 * len(facts) + 0.45 * len(units))
        axes = fig.subplots(len(units), 1, height_ratios=sizes, squeeze=False)[:, 0]
        for ax, unit in zip(axes, units):
            mine = [(i, f) for i, f in facts if f.unit == unit]
            labels = [names[i] for i, _ in mine]
            values = [f.value for _, f in mine]
            bars = ax.barh(range(len(mine)), values, color=PALETTE["stated-prose"], height=0.65)
            for bar, (i, f) in zip(bars, mine):
                bar.set_gid(f"fact.{i}")
            ax.bar_label(bars, labels=[f.text for _, f in mine], padding=3, fontsize=8)
            ax.set_yticks(range(len(mine)), labels=labels)
            ax.set_ylim(len(mine) - 0.4, -0.6)
            ax.set_xlim(0, max(max(values), 1) * 1.18)
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
            ax.set_title(f"单位：{unit}")
        return _finish(fig, title or _title(report, "正文所述数字"))


# What a prose number counts. The noun right after a number and its classifier (20部便民服务电话), else the
# clause before it without its leading verb phrase and trailing filler (市局门户网站诉求共 → 市局门户网站诉求).
_NOUN_AFTER = rx.lazy(r"[\u4e00-\u9fff]{2,10}")
_FILLER = rx.lazy(r"(?:共计|合计|累计|总计|分别为|分别|共|计|为|达到|达|是|有|约|近|超过|逾|了)+$")
_VERB = (r"(?:发布|播发|受理|收到|接收|接到|办理|回复|答复|办结|制发|废止|更新|维护|开展|组织|举办|接听|处理|推送|录入|编制"
         r"|上线|进驻|新增|梳理)")
_LAST_VERB = rx.lazy(rf"^.*{_VERB}(?=[\u4e00-\u9fff]{{2,}}$)")


def _counted(report, f) -> str:
    """What fact ``f`` counts, as a short noun phrase ("" when the text does not say)."""
    if f.unit != "%":
        m = _NOUN_AFTER.match(report.text, f.end)
        if m and not re.match(_VERB, m.group()):
            return _short(m.group(), 10)
    subject = _FILLER.sub("", re.sub(r"\s+", "", f.subject or ""))
    subject = _LAST_VERB.sub("", subject)
    subject = re.sub(r"^(?:\d+年度?|本年度?|全年|其中|包括|历年|累计|共|[,，、；])+", "", subject)
    # A long phrase is named by its head: what follows its last 的 / 等原因 (…专区的服务事项 → 服务事项).
    if len(subject) > 8:
        tail = re.split(r"的|等原因|原因", subject)[-1]
        subject = tail if len(tail) >= 2 else subject
    subject = re.sub(r"[“”\"「」]", "", subject)
    return _short(subject, 10) if len(subject) >= 2 else ""


def fact_labels(report) -> dict[int, str]:
    """Label of each prose number (index in ``report.facts``) by what it counts; a number whose text
    does not say what it counts has no label (and is not charted). Two numbers with the same label
    (群众满意度 twice) are told apart by what the first number of their sentence counts."""
    labels = {i: _counted(report, f) for i, f in enumerate(report.facts)}
    labels = {i: x for i, x in labels.items() if x}
    first_of_sentence: dict[int, str] = {}
    for i, f in enumerate(report.facts):
        if i in labels:
            first_of_sentence.setdefault(f.sentence_start, labels[i])
    seen: dict[str, int] = {}
    for x in labels.values():
        seen[x] = seen.get(x, 0) + 1
    for i, x in list(labels.items()):
        bare_verb = re.fullmatch(_VERB, x) is not None          # 回复418条: replies to what?
        if seen[x] > 1 or bare_verb:
            ctx = first_of_sentence.get(report.facts[i].sentence_start, "")
            if ctx and ctx != x:
                labels[i] = f"{x}（{_short(ctx, 8)}）"
            elif bare_verb:
                del labels[i]
    return labels


def outcomes_chart(reconstruction, title: str | None = None) -> Figure:
    """The outcome rows of table 三 (总计 column) with their exact values from the reconstruction, each
    bar coloured by provenance; a row whose value is not known says 无数据 (never drawn as 0)."""
    t = spec().table("requests", reconstruction.version)
    rows = list(spec().version(reconstruction.version).outcome_rows)
    ests = [reconstruction.cells.get(("requests", r, "total")) for r in rows]
    report = reconstruction.report
    with style():
        if all(e is None or e.value is None for e in ests):
            fig = _figure(7, 2.5)
            _no_data(fig.subplots(), f"{NO_DATA}（{spec().table('requests').name}办理结果未知）")
            return _finish(fig, title or _title(report, "依申请公开办理结果"))
        fig = _figure(8, 1.2 + 0.27 * len(rows))
        ax = fig.subplots()
        top = max(e.value for e in ests if e is not None and e.value is not None)
        used = []
        # Shade every other group (不予公开, 无法提供 …) so the eye can tell where a group ends.
        groups = [t.row(r).parent if t.row(t.row(r).parent).parent else r for r in rows]
        starts = [y for y in range(len(rows)) if y == 0 or groups[y] != groups[y - 1]] + [len(rows)]
        for k, (y0, y1) in enumerate(zip(starts, starts[1:])):
            if k % 2:
                ax.axhspan(y0 - 0.5, y1 - 0.5, color="#F3F3F3", zorder=0, linewidth=0)
        for y, (rid, e) in enumerate(zip(rows, ests)):
            if e is None or e.value is None:
                ax.text(0, y, NO_DATA, va="center", color="#777777", fontsize=8)
                continue
            p = provenance_of(e)
            used.append(p)
            ax.barh(y, e.value, color=PALETTE[p], height=0.65, gid=f"requests.{rid}.total")
            ax.text(e.value, y, f" {num_text(e.value)}", va="center", fontsize=8)
        ax.set_yticks(range(len(rows)), labels=[_short(row_name(t, r, with_group=True), 20) for r in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_xlim(0, max(top, 1) * 1.15)
        ax.set_xlabel("件（总计列）")
        _legend(fig, [k for k in ("stated-table", "stated-prose", "inferred") if k in used])
        return _finish(fig, title or _title(report, "依申请公开办理结果"))


def _grid(ax, rec, tid: str, rows: list[str], cols: list[tuple[str, str]], cell) -> set:
    """Draw one table as coloured cells. ``rows`` are grid row keys, ``cols`` (key, label) pairs and
    ``cell(row_key, col_key)`` gives the (row id, column id) drawn there, or None for no cell. Returns the
    provenance classes drawn."""
    used = set()
    for y, rkey in enumerate(rows):
        for x, (ckey, _) in enumerate(cols):
            rc_ = cell(rkey, ckey)
            if rc_ is None:
                continue
            est = rec.cells.get((tid, *rc_))
            p = provenance_of(est)
            used.add(p)
            _cell(ax, Rectangle((x, y), 1, 1, facecolor=PALETTE[p], edgecolor="white", linewidth=1,
                                   gid=f"{tid}.{rc_[0]}.{rc_[1]}"))
            if est is not None and est.value is not None:
                txt = num_text(est.value)
            elif p == "bounded":
                txt = f"{num_text(est.low or 0)}–{num_text(est.high)}" if est.high is not None else f"≥{num_text(est.low)}"
            else:
                continue        # an unknown cell is its colour alone
            ax.text(x + 0.5, y + 0.5, txt, ha="center", va="center", fontsize=7, color=_ink(PALETTE[p]))
    ax.set_xlim(0, len(cols))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([x + 0.5 for x in range(len(cols))], labels=[c for _, c in cols], rotation=40 if len(cols) <= 6 else 60,
                  ha="left", rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return used


def provenance_chart(reconstruction, title: str | None = None) -> Figure:
    """Every cell of tables 三, 二 and 四 coloured by provenance (表格填报 / 正文说明 / 勾稽推算 / 仅知范围 /
    未知), with its value written in when known. Table 四's single row is drawn as its three groups."""
    rec, v = reconstruction, reconstruction.version
    t3, t2, t4 = (spec().table(x, v) for x in ("requests", "proactive", "appeals"))
    with style():
        fig = _figure(11, 8.5)
        gs = fig.add_gridspec(2, 2, width_ratios=[1.25, 1], height_ratios=[1.3, 1])
        ax3, ax2, ax4 = fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])
        used = set()
        rows3 = [r.id for r in t3.data_rows]
        used |= _grid(ax3, rec, "requests", rows3, [(c.id, c.label) for c in t3.columns],
                      lambda r, c: (r, c))
        ax3.set_yticks([y + 0.5 for y in range(len(rows3))],
                       labels=[_short(row_name(t3, r, with_group=True), 16) for r in rows3])
        ax3.set_title(f"{_table_name('requests', v)} 收到和处理政府信息公开申请", pad=8)
        rows2 = [r.id for r in t2.data_rows]
        cols2 = [(c.id, re.sub(r"[（(].*$", "", c.label)) for c in t2.columns]
        allowed = {r: {c.id for c in t2.columns_for(r)} for r in rows2}
        used |= _grid(ax2, rec, "proactive", rows2, cols2, lambda r, c: (r, c) if c in allowed[r] else None)
        ax2.set_yticks([y + 0.5 for y in range(len(rows2))], labels=[t2.row(r).label for r in rows2])
        ax2.set_title(f"{_table_name('proactive', v)} 主动公开政府信息", pad=8)
        # Table 四 is one row of 15 cells: three groups × five results reads better as a 3 × 5 grid.
        row4 = t4.data_rows[0].id
        groups = list(dict.fromkeys(c.id.rsplit("_", 1)[0] for c in t4.columns))
        results = list(dict.fromkeys((c.id.rsplit("_", 1)[1], c.label) for c in t4.columns))
        used |= _grid(ax4, rec, "appeals", groups, results, lambda g, r: (row4, f"{g}_{r}"))
        ax4.set_yticks([y + 0.5 for y in range(len(groups))],
                       labels=[t4.column(f"{g}_total").name.rsplit("/", 1)[0].replace("/", "·") for g in groups])
        ax4.set_title(f"{_table_name('appeals', v)} 行政复议、行政诉讼", pad=8)
        for ax in (ax2, ax4):
            ax.set_aspect("equal", anchor="NW")     # square cells, as in table 三's neighbourhood
        _legend(fig, [k for k in ("stated-table", "stated-prose", "inferred", "bounded", "unknown") if k in used])
        return _finish(fig, title or _title(rec.report, "各单元格数据来源"))


def _agency_rows(frame: pd.DataFrame) -> pd.Series:
    """Row labels of the completeness chart: the agency as read (with data/agency-overrides.csv applied
    by the loader), so one agency's years share a row; a report whose agency could not be read keeps a
    row of its own, named by its file."""
    agency = frame["agency"].astype("object")
    if "source" in frame:
        unknown = "机关不详（" + frame["source"].astype(str).map(lambda s: Path(s).name) + "）"
    else:
        unknown = pd.Series("机关不详", index=frame.index)
    return agency.where(agency.notna() & (agency.astype(str).str.strip() != ""), unknown).astype(str)


def completeness_chart(frame: pd.DataFrame, title: str | None = None) -> Figure:
    """Many reports: completeness (0–1, share of required cells with a number) by agency (rows) and year
    (columns), written in each cell; a year an agency has no report for shows —."""
    with style():
        if frame is None or frame.empty:
            fig = _figure(7, 2.5)
            _no_data(fig.subplots())
            return _finish(fig, title or "各机关各年度报告完整度")
        # A report whose year or agency could not be read still counts: it gets a column/row of its own.
        years = pd.to_numeric(frame["year"], errors="coerce")
        order = sorted(years.dropna().astype(int).unique())
        frame = frame.assign(
            year=pd.Categorical([f"{int(y)}年" if pd.notna(y) else "年份不详" for y in years],
                                categories=[f"{y}年" for y in order] + (["年份不详"] if years.isna().any() else [])),
            agency=_agency_rows(frame))
        grid = frame.pivot_table(index="agency", columns="year", values="completeness", aggfunc="mean",
                                 observed=False, dropna=False)
        fig = _figure(max(5.0, 2.6 + 0.9 * grid.shape[1]), 1.4 + 0.42 * grid.shape[0])
        ax = fig.subplots()
        cmap = matplotlib.colormaps["Greens"]   # used on 0.1–0.7 of its range: dark greens swallow text
        for y, agency in enumerate(grid.index):
            for x, year in enumerate(grid.columns):
                val = grid.loc[agency, year]
                color = "#F2F2F2" if pd.isna(val) else cmap(0.1 + 0.6 * float(val))
                _cell(ax, Rectangle((x, y), 1, 1, facecolor=color, edgecolor="white", linewidth=2,
                                       gid=f"completeness.{y}.{x}"))
                ax.text(x + 0.5, y + 0.5, "—" if pd.isna(val) else f"{float(val):.0%}", ha="center",
                        va="center", color="#777777" if pd.isna(val) else _ink(matplotlib.colors.to_hex(color)))
        ax.set_xlim(0, grid.shape[1])
        ax.set_ylim(grid.shape[0], 0)
        ax.set_xticks([x + 0.5 for x in range(grid.shape[1])], labels=[str(y) for y in grid.columns])
        ax.set_yticks([y + 0.5 for y in range(grid.shape[0])], labels=[_short(str(a), 18) for a in grid.index])
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        return _finish(fig, title or "各机关各年度报告完整度")


@functools.lru_cache(maxsize=None)
def rule_names() -> dict[str, str]:
    """Each rule's short Chinese name (``name`` in data/rules.yaml, cross-report rules included)."""
    # read_data is the one reader of the package's data files (the check and corpus stages read their
    # rules through it): parsed once, cached beside the file.
    raw = read_data("rules.yaml")
    return {r["id"]: r["name"] for key in ("rules", "corpus_rules") for r in raw.get(key) or []}


def findings_chart(findings: pd.DataFrame, title: str | None = None) -> Figure:
    """Many reports (or one): the number of findings per rule, most frequent first, coloured by severity
    when the frame has a ``severity`` column; with a ``source`` column each bar also says how many
    reports the rule fired in."""
    with style():
        if findings is None or findings.empty:
            fig = _figure(7, 2.5)
            _no_data(fig.subplots(), f"{NO_DATA}（没有发现问题）")
            return _finish(fig, title or "各规则发现数量")
        counts = findings.groupby("rule").size().sort_values(ascending=False, kind="stable")
        fig = _figure(8, 1.3 + 0.3 * len(counts))
        ax = fig.subplots()
        if "severity" in findings:
            sev = findings.groupby("rule")["severity"].first()
            colors = [PALETTE.get(sev[r], _OTHER) for r in counts.index]
        else:
            colors = [_ACCENT] * len(counts)
        bars = ax.barh(range(len(counts)), counts.values, color=colors, height=0.65)
        for bar, rule in zip(bars, counts.index):
            bar.set_gid(f"rule.{rule}")
        if "source" in findings:
            reports = findings.groupby("rule")["source"].nunique()
            labels = [f"{n}（{reports[r]}份报告）" for r, n in counts.items()]
        else:
            labels = [str(n) for n in counts.values]
        ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
        names = rule_names()
        ax.set_yticks(range(len(counts)), labels=[names.get(str(r), str(r)) for r in counts.index])
        ax.invert_yaxis()
        ax.set_xlim(0, counts.max() * 1.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_xlabel("发现数量")
        if "severity" in findings:
            _legend(fig, [k for k in ("error", "warning", "info") if k in set(findings["severity"])])
        return _finish(fig, title or "各规则发现数量")


ALL_CHARTS = ("gap_chart", "facts_chart", "outcomes_chart", "provenance_chart", "completeness_chart",
              "findings_chart")
