"""Agencies in a corpus: level of government from the name (and text), a key that makes one agency's
reports of different years meet, and the override file that corrects what a report's text gets wrong."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from .. import paths
from ..errors import ReportError
from ..format import fold, label_key
from .. import rx

LEVELS = ("department", "town", "county", "city", "province")

_DEPT_SUFFIX = rx.lazy(r"(?:分局|局|委员会|委|办公室|办|中心|厅|署|院|所|站|队|会|处|馆|部)$")
_TOWN = rx.lazy(r"(?:街道办事处|街道办|街道|镇|乡)$")
_ZONE = rx.lazy(r"(?:开发区|新区|实验区|高新区|示范区|园区|合作区|管理区)$")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
# Both bracket widths are spelled out, so the text need not be folded first (this runs on every report).
_COUNTY_WORDS = rx.lazy(r"县[(（]市[、,，]?区[)）]|县[(（]区[、,，]?市[)）]|县[(（]区[)）]|区[(（]县[)）]|各区县|"
                           r"各县区|县市区|区县政府|县区政府|各县[(（]市[)）]|市辖区|各县、区|各区、县")
_TOWN_WORDS = rx.lazy(r"镇[(（]街道[)）]|镇[(（]街[)）]|各乡镇|各镇|镇街|乡[(（]镇[)）]")


def text_hints(text: str) -> tuple[bool, bool]:
    """(speaks of 县（市、区）, speaks of 镇（街道）) in the first 20,000 characters: what tells a 设区的市
    government's report from a 县级市's when the name alone ("X市人民政府") cannot."""
    head = text[:20000]
    return bool(_COUNTY_WORDS.search(head)), bool(_TOWN_WORDS.search(head))


def level_of(agency: str | None, text: str | None = None, hints: tuple[bool, bool] | None = None
             ) -> tuple[str | None, str]:
    """Level of ``agency`` and why: ``department`` (name ends in 局/委/办/中心…), ``town`` (镇/乡/街道),
    ``county`` (县/区/旗 government, or a 县级市 whose report speaks of its 镇（街道）), ``city`` (设区的市,
    州/盟/地区 government), ``province`` (省/自治区/直辖市 government), or None when the name cannot tell
    (development zones, a bare "X市" whose report names neither 县（市、区） nor 镇（街道）)."""
    if not agency:
        return None, "no agency name"
    name = re.sub(r"[\s()（）]", "", fold(agency))
    if re.search(r"街道(?:办事处|办)?$", name):
        return "town", "name ends with 街道"
    gov = re.search(r"(?:人民)?政府$", name)
    base = name[:gov.start()] if gov else name
    if not gov and _DEPT_SUFFIX.search(name):
        return "department", f"name ends with {_DEPT_SUFFIX.search(name).group()}"
    if not base:
        return None, "no place name"
    if _TOWN.search(base):
        return "town", f"government of a {_TOWN.search(base).group()}"
    if base.endswith("省") or base.endswith("自治区") or base in _MUNICIPALITIES:
        return "province", "government of a 省/自治区/直辖市"
    if _ZONE.search(base):
        return None, f"{_ZONE.search(base).group()}: set the level in the override file"
    if re.search(r"(?:县|旗|区|特区|林区)$", base):
        return "county", "government of a 县/区/旗"
    if re.search(r"(?:州|盟|地区)$", base):
        return "city", "government of a 州/盟/地区"
    if base.endswith("市"):
        if re.search(r"(?:市|州|盟|地区).+市$", base):
            return "county", "a 市 under a 市/州/盟/地区: 县级市"
        if hints is None and text is not None:
            hints = text_hints(text)
        counties, towns = hints or (False, False)
        if counties:
            return "city", "X市 whose report speaks of 县（市、区）: 设区的市"
        if towns:
            return "county", "X市 whose report speaks of 镇（街道） and no 县（市、区）: 县级市"
        return None, "X市: 设区的市 or 县级市 cannot be told from the name; use the override file"
    return None, "no level suffix in the name"


def agency_key(agency: str | None) -> str | None:
    """The key reports of one agency share across years: label key without a trailing (人民)政府."""
    if not agency:
        return None
    k = re.sub(r"(?:人民)?政府$", "", label_key(agency))
    return k or None


# ---------------------------------------------------------------------------------------------------
# Overrides.

def read_overrides(path) -> list[dict]:
    """Rows of an override file (CSV, UTF-8, header ``pattern,agency,year,level,note``).

    ``pattern`` is a shell pattern (``*``, ``?``, ``[…]``, case-sensitive): without ``/`` it is matched
    against the file name, with ``/`` against the end of the source path (``corpus/005.txt`` matches
    ``data/corpus/005.txt``). An empty field keeps what the text says. Every matching row applies, in
    file order, so a later row wins. Lines whose pattern starts with ``#`` are comments.
    Raises ReportError naming the file and line for a bad year or level."""
    import csv
    rows = []
    p = Path(path)
    with p.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"pattern", "agency", "year", "level"} - set(reader.fieldnames or ())
        if missing:
            raise ReportError(f"the override file needs the columns pattern,agency,year,level (missing: "
                              f"{', '.join(sorted(missing))})", str(p), "line 1")
        for line, row in enumerate(reader, start=2):
            pat = (row.get("pattern") or "").strip()
            if not pat or pat.startswith("#"):
                continue
            year = (row.get("year") or "").strip()
            level = (row.get("level") or "").strip()
            if year and not re.fullmatch(r"(?:19|20)\d\d", year):
                raise ReportError(f"year {year!r} is not a year", str(p), f"line {line}")
            if level and level not in LEVELS:
                raise ReportError(f"level {level!r} is not one of {', '.join(LEVELS)}", str(p), f"line {line}")
            rows.append({"pattern": pat, "agency": (row.get("agency") or "").strip() or None,
                         "year": int(year) if year else None, "level": level or None,
                         "note": (row.get("note") or "").strip() or None, "line": line})
    return rows


def _matches(pattern: str, source: str) -> bool:
    s = source.replace("\\", "/")
    if "/" in pattern:
        return fnmatch.fnmatchcase(s, pattern) or fnmatch.fnmatchcase(s, "*/" + pattern.lstrip("/"))
    return fnmatch.fnmatchcase(s.rsplit("/", 1)[-1], pattern)


def _default_overrides() -> Path | None:
    p = paths.DATA / "agency-overrides.csv"
    return p if p.exists() else None
