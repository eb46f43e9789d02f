"""What kind of body published a report, read from its name (the title) and how the text refers to
itself ("我镇", "本局"), and whether such a body can make 规章.

Under the Legislation Law (立法法 第九十一、九十三条) only State Council ministries, commissions and
directly affiliated bodies with administrative functions, and the people's governments of provinces,
autonomous regions, municipalities, 设区的市 and 自治州 make 规章. Towns, street offices, county and
district governments, and the working departments of local governments do not. Provincial departments
are left alone: they draft and publish their government's 规章 and sometimes count them as their own.

Unknown stays unknown: :func:`rulemaking` answers ``None`` whenever neither the name nor the text tells
the kind of body, and the 规章 rule is then silent.

>>> rulemaking("桃江县松木塘镇人民政府").kind
'town'
>>> rulemaking("上海市人民政府") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import rx
from .text import fold

# The Chinese patterns this module depends on, kept together (a shared lexicon may take them later).
_SPACE = rx.lazy(r"[\s()（）]")
_PROVINCE_PREFIX = rx.lazy(r"^(?:[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,8}自治区|北京市|天津市|上海市|重庆市)")
_NATIONAL = rx.lazy(r"^(?:国务院|国家|中国|中华人民共和国)|总署$|^[\u4e00-\u9fff]{2,8}部$|^审计署$")
_TOWN = rx.lazy(r"(?:镇|乡|街道|苏木|片区)(?:人民政府|政府|办事处|管理局|管理委员会|管委会)?$")
_COUNTY_GOV = rx.lazy(r"(?:县|[^地]区|旗)(?:人民政府|政府)(?:办公室)?$")
_GOV_OFFICE = rx.lazy(r"(?:人民政府|政府)办公(?:厅|室)$")
_DEPARTMENT = rx.lazy(r"(?:局|分局|委员会|委|办公室|办|中心|厅|处|所|站|队|支队|大队)$")
# An administrative unit below the province named inside the body's name: the department belongs to it.
_BELOW_PROVINCE = rx.lazy(r"市|州|盟|地区|县|区|旗|镇|乡|街道|片区")
# How a report refers to its own body in running text.
_SELF_TOWN = rx.lazy(r"(?:我|本)(?:镇|乡|街道|片区)(?![长党])")
_SELF_DEPARTMENT = rx.lazy(r"(?:我|本)(?:局|委|办)(?![公法])")
_TITLE_NAME = rx.lazy(r"^(.*?)(?:关于)?(?:报送)?(?:19|20)\d\d\s*年")


@dataclass(frozen=True)
class Body:
    """A body that cannot make 规章: ``kind`` town | county | department; ``name`` as found; ``source``
    says where the kind was read (``name`` or ``text``); ``cue`` is the words that told it."""

    kind: str
    name: str
    source: str
    cue: str

    @property
    def kind_zh(self) -> str:
        return {"town": "乡镇、街道或片区一级机关", "county": "县、区人民政府",
                "department": "设区的市或县级政府的工作部门"}[self.kind]

    @property
    def kind_en(self) -> str:
        return {"town": "a town, street office or 片区 body", "county": "a county or district government",
                "department": "a working department of a city or county government"}[self.kind]


def name_from_title(title: str | None) -> str | None:
    """The issuing body as the title names it ("平潭综合实验区海坛片区管理局2025年度…" → the bureau)."""
    if not title:
        return None
    m = _TITLE_NAME.match(_SPACE.sub("", title))
    name = m.group(1) if m else ""
    return name or None


def rulemaking(name: str | None, text: str | None = None) -> Body | None:
    """The body behind ``name`` when it cannot make 规章, else None (it can, or nothing tells)."""
    if name:
        key = _SPACE.sub("", name)
        if _NATIONAL.search(key):
            return None
        if _TOWN.search(key):
            return Body("town", name, "name", _TOWN.search(key).group())
        if _COUNTY_GOV.search(key):
            return Body("county", name, "name", _COUNTY_GOV.search(key).group())
        if _GOV_OFFICE.search(key):
            return None             # the government's own office reports the government's 规章
        if _DEPARTMENT.search(key):
            rest = _PROVINCE_PREFIX.sub("", key)
            below = _BELOW_PROVINCE.search(rest)
            if below:
                return Body("department", name, "name", below.group())
            return None             # a provincial department, or a department the name does not place
    if text:
        m = _SELF_TOWN.search(text)
        if m:
            return Body("town", name or m.group(), "text", m.group())
    return None


# ---------------------------------------------------------------------------------------------------
# Level of government, for a corpus (corpus.agencies re-exports these). Not the 规章 kind above: a level
# is read from the name with 人民政府 taken off, and its word lists answer another question (a 苏木
# government has no level there and is a town for 规章 here), so the two sets of words differ.

LEVELS = ("department", "town", "county", "city", "province")

_DEPT_SUFFIX = rx.lazy(r"(?:分局|局|委员会|委|办公室|办|中心|厅|署|院|所|站|队|会|处|馆|部)$")
_LEVEL_TOWN = rx.lazy(r"(?:街道办事处|街道办|街道|镇|乡)$")
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
    if _LEVEL_TOWN.search(base):
        return "town", f"government of a {_LEVEL_TOWN.search(base).group()}"
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
