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

from dataclasses import dataclass

from . import rx

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
