"""Synthetic corpora of annual reports, for tests and benchmarks of :mod:`reportkit.corpus`.

A synthetic corpus is a folder of report files written with :func:`reportkit.render.render_text` in every
layout of :data:`reportkit.render.LAYOUTS`, for several made-up agencies over consecutive years, with the
variety and the damage real collections show:

* honest year chains: this year's 上年结转 is last year's 结转下年度 and the stock of 规章 / 行政规范性文件
  carries over (so a cross-year check has nothing to say about them);
* prose written from phrase banks with many slots, so that two reports share the format's stock phrases
  but not whole paragraphs (an honest pair is not a copy);
* omitted sections and missing tables; cells glued together (``0 | 12`` → ``012``), non-numeric marks
  (``/``, ``—``), truncated files, GBK-encoded files, and a few files that are not reports at all (binary,
  empty, an unrelated notice);
* planted defects with their ground truth: carry-over breaks, stock breaks, and section 五 copied from
  last year's report of the same agency (only the years changed) or from another agency's report.

:func:`make_corpus` writes the files and returns the manifest (one row per file, with what was planted).
Everything is driven by one seed, so a corpus is reproducible.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .format import spec
from .render import LAYOUTS, complete_tables, render_text

# ---------------------------------------------------------------------------------------------------
# Made-up agencies. Names are built from syllables so that thousands of agencies have distinct names.

_FIRST = "清安平河东西南北永兴新建宁长丰临泰华阳明德和嘉鸿顺宜崇乐康昌庆盛瑞福通广云龙凤金"
_SECOND = "河安平山城阳江宁原丰台源水溪泉林川湖岭田坪桥亭口堡关谷峰阜沙洲滨浦"
_PROVINCES = ("河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北",
              "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海")

# Departments and the words their reports talk about.
_DEPARTMENTS = {
    "公安局": ("警务信息", "户籍管理", "交通管理", "治安防控", "出入境管理"),
    "教育局": ("招生入学", "学校安全", "教育收费", "教师招聘", "学生资助"),
    "财政局": ("预算决算", "政府采购", "财政资金", "国有资产", "惠民补贴"),
    "自然资源局": ("土地征收", "国土空间规划", "矿产资源", "不动产登记", "耕地保护"),
    "生态环境局": ("环境影响评价", "排污许可", "环境监测", "污染防治", "生态保护"),
    "住房和城乡建设局": ("保障性住房", "建筑市场", "城市更新", "物业管理", "燃气安全"),
    "交通运输局": ("公路建设", "道路运输", "公交出行", "农村公路", "交通执法"),
    "农业农村局": ("农业补贴", "高标准农田", "农村集体经济", "农产品质量", "动物防疫"),
    "卫生健康委员会": ("医疗服务", "疾病预防", "妇幼健康", "卫生监督", "家庭医生"),
    "市场监督管理局": ("食品安全", "市场主体登记", "产品质量", "价格监管", "知识产权"),
    "应急管理局": ("安全生产", "防灾减灾", "应急救援", "危险化学品", "森林防火"),
    "人力资源和社会保障局": ("就业创业", "社会保险", "劳动关系", "职业技能", "人才引进"),
    "医疗保障局": ("医保报销", "医保基金", "药品集采", "异地就医", "医疗救助"),
    "信访局": ("信访事项", "来信来访", "网上信访", "矛盾化解", "信访督查"),
    "统计局": ("统计公报", "统计调查", "经济普查", "统计执法", "数据发布"),
    "人民政府办公室": ("政务公开", "政府文件", "政策解读", "政务服务", "重点工作"),
    "政务服务管理局": ("行政审批", "政务服务事项", "一网通办", "营商环境", "便民服务"),
}
_GOVERNMENT_WORDS = ("财政预决算", "重大建设项目", "乡村振兴", "民生实事", "营商环境", "重点工作", "公共资源配置")


@dataclass(frozen=True)
class Agency:
    name: str
    level: str          # department | town | county | city | province
    words: tuple[str, ...]
    county_city: bool = False   # a 县级市 government ("X市人民政府" that is a county)


def _place(rng: random.Random) -> str:
    return rng.choice(_FIRST) + rng.choice(_SECOND)


def make_agencies(n: int, seed: int = 0) -> list[Agency]:
    """``n`` distinct made-up agencies of every level (mostly departments and towns, as in real life)."""
    rng = random.Random(seed)
    out: list[Agency] = []
    seen: set[str] = set()
    while len(out) < n:
        city, county, town = _place(rng), _place(rng), _place(rng)
        kind = rng.choices(("dept_city", "dept_county", "town", "street", "county", "county_city", "city",
                            "province"), weights=(30, 30, 16, 4, 8, 3, 6, 1))[0]
        dept = rng.choice(list(_DEPARTMENTS))
        if kind == "dept_city":
            a = Agency(f"{city}市{dept}", "department", _DEPARTMENTS[dept])
        elif kind == "dept_county":
            a = Agency(rng.choice((f"{county}县{dept}", f"{city}市{county}区{dept}")), "department",
                       _DEPARTMENTS[dept])
        elif kind == "town":
            a = Agency(rng.choice((f"{county}县{town}镇人民政府", f"{town}镇人民政府", f"{town}乡人民政府")),
                       "town", _GOVERNMENT_WORDS)
        elif kind == "street":
            a = Agency(f"{city}市{county}区{town}街道办事处", "town", _GOVERNMENT_WORDS)
        elif kind == "county":
            a = Agency(rng.choice((f"{county}县人民政府", f"{city}市{county}区人民政府")), "county",
                       _GOVERNMENT_WORDS)
        elif kind == "county_city":
            a = Agency(f"{county}市人民政府", "county", _GOVERNMENT_WORDS, county_city=True)
        elif kind == "city":
            a = Agency(f"{city}市人民政府", "city", _GOVERNMENT_WORDS)
        else:
            a = Agency(f"{rng.choice(_PROVINCES)}省人民政府", "province", _GOVERNMENT_WORDS)
        if a.name in seen:
            continue
        seen.add(a.name)
        out.append(a)
    return out


# ---------------------------------------------------------------------------------------------------
# Prose. Each template has slots; the fillers are many, so whole sentences rarely repeat between
# reports while the stock wording ("坚持以公开为常态、不公开为例外") does, as in real reports.

_ADVERBS = ("认真", "扎实", "持续", "切实", "全面", "积极", "稳步", "不断", "严格", "进一步")
_VERBS = ("推进", "落实", "加强", "规范", "完善", "深化", "优化", "强化", "抓好", "做好")
_CHANNELS = ("门户网站", "政务新媒体", "政务微博", "微信公众号", "政务服务大厅", "公开栏", "新闻发布会",
             "政府公报", "便民服务站", "档案馆查阅点")
_OBJECTS = ("信息发布审核机制", "公开目录编制", "政策解读工作", "依申请公开办理流程", "保密审查制度",
            "政务公开标准目录", "信息公开台账", "答复文书格式", "公开属性认定", "网站栏目设置",
            "回应关切机制", "考核评议办法")
_GOALS = ("提升公开质量", "增强公开实效", "保障群众知情权", "方便群众查阅", "回应社会关切", "优化营商环境",
          "提高办事效率", "促进依法行政", "推动工作落实", "增进政民互动")
_PEOPLE = ("业务骨干", "信息员", "各科室负责人", "基层工作人员", "新入职人员", "分管负责同志")
_ORDINALS = "一二三四五六"

_INTRO = (
    "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，{adv}贯彻《中华人民共和国政府信息公开条例》，"
    "围绕{w1}、{w2}等重点领域{verb}政务公开工作，{goal}。",
    "{year}年，在上级部门的指导下，{agency}{adv}{verb}政府信息公开工作，把{w1}作为公开重点，{goal}，"
    "全年政府信息公开工作平稳有序。",
    "{year}年，{agency}按照“公开为常态、不公开为例外”的原则，{adv}{verb}{w1}和{w2}信息公开，"
    "以{channel}为主要载体，{goal}。",
    "一年来，{agency}紧扣{w1}、{w2}工作实际，{adv}{verb}{obj}，政府信息公开工作取得新进展。",
)
_SUB_TITLES = {
    1: ("（一）主动公开", "（一）主动公开情况", "（一）主动公开方面"),
    2: ("（二）依申请公开", "（二）依申请公开情况", "（二）依申请公开方面"),
    3: ("（三）政府信息管理", "（三）政府信息管理情况", "（三）信息管理方面"),
    4: ("（四）政府信息公开平台建设", "（四）平台建设情况", "（四）平台建设方面"),
    5: ("（五）监督保障", "（五）监督保障情况", "（五）监督保障方面"),
}
_PROACTIVE = (
    "全年通过{channel}主动公开政府信息{n1}条，其中{w1}类信息{n2}条。",
    "围绕{w1}、{w2}等群众关注事项，{adv}{verb}信息发布，通过{channel}发布信息{n1}条。",
    "主动公开规范性文件及政策解读材料{n3}件，{goal}。",
    "{adv}{verb}{obj}，对{w2}相关信息实行清单管理，做到应公开尽公开。",
    "在{channel}开设“{w1}”专栏，更新信息{n2}条，{goal}。",
    "组织召开{w2}主题新闻发布会{n4}场，发布权威信息，回应社会关切。",
)
_REQUESTS = (
    "{year}年共收到政府信息公开申请{new}件，上年结转{cin}件，结转下年度继续办理{cout}件。",
    "全年新收政府信息公开申请{new}件，均在法定期限内答复，{adv}{verb}答复文书审核。",
    "{adv}{verb}{obj}，对申请内容涉及{w1}的事项会同业务科室研判，确保答复准确规范。",
    "依申请公开实行登记、审核、办理、答复、归档全流程管理，{goal}。",
)
_MANAGEMENT = (
    "{adv}{verb}{obj}，对拟公开信息实行“先审查、后公开”，全年审核信息{n1}条。",
    "组织开展{w1}领域政策文件清理，废止或宣布失效文件{n4}件，{goal}。",
    "{adv}{verb}公开属性源头认定，在公文办理环节同步确定公开方式。",
    "对{channel}历史信息开展排查，整改错链、断链等问题{n4}处。",
)
_PLATFORM = (
    "{adv}{verb}{channel}建设，优化{w1}专栏设置，全年发布信息{n2}条。",
    "发挥{channel}作用，推送{w2}相关信息{n3}条，粉丝数量稳步增长。",
    "{adv}{verb}政府信息公开专栏，{goal}，栏目内容保持及时更新。",
    "依托{channel}设置查阅点{n4}个，为群众提供政府信息查阅服务。",
)
_OVERSIGHT = (
    "组织{people}参加政务公开业务培训{n4}次，参训{n3}人次。",
    "将政务公开工作纳入年度考核，{adv}{verb}{obj}，全年未发生因政府信息公开引发的责任追究。",
    "开展政务公开自查{n4}次，对发现的问题即知即改，{goal}。",
    "主动接受社会监督，通过{channel}收集意见建议{n4}条，逐条研究办理。",
)
_PROBLEMS = (
    "{w1}领域信息公开的深度和广度还不够，部分信息更新不够及时",
    "政策解读形式较为单一，图解、视频等解读方式运用不多",
    "{people}对政府信息公开工作的业务理解还不够深入，公开属性认定把握不准",
    "{channel}栏目设置与群众需求还有差距，{w2}信息查找不够便捷",
    "依申请公开答复文书的规范性有待提高，个别答复说理不够充分",
    "主动公开的{w1}信息与公众期待相比还存在一定差距",
    "政务公开工作的考核评议机制还不够健全，督促指导力度有待加强",
    "{channel}信息发布的审核把关还需进一步细化",
    "回应社会关切的时效性不强，对{w2}热点问题的解读不够及时",
    "基层政务公开标准化规范化建设推进不平衡",
)
_MEASURES = (
    "{adv}{verb}{w1}领域信息公开，按照标准目录及时、准确发布相关信息",
    "丰富政策解读形式，综合运用图文、视频、问答等方式，{goal}",
    "加强对{people}的业务培训，每年组织专题培训不少于{n4}次",
    "优化{channel}栏目设置，方便群众查找{w2}相关信息",
    "{adv}{verb}{obj}，提高依申请公开答复质量",
    "健全政务公开考核评议机制，把公开工作纳入年度目标管理",
    "严格落实“三审三校”制度，{adv}{verb}信息发布审核",
    "围绕{w2}等热点问题及时回应社会关切，{goal}",
    "推动政务公开向基层延伸，{adv}{verb}{obj}",
    "建立{w1}信息公开工作台账，实行动态更新、定期通报",
)
# Clauses that make a problem or a measure concrete (most real sections 五 say something specific).
_TAILS = (
    "，全年共梳理{w1}相关事项{n3}项",
    "，{month}月起在{channel}试行",
    "，由{people}牵头每季度开展一次检查",
    "，计划于{month}月底前完成{obj}的修订",
    "，对{n4}个科室逐一开展业务指导",
    "，已将{w2}信息纳入重点公开清单",
    "，在{channel}增设{w1}问答栏目",
    "，组织{people}到先进地区学习{obj}经验",
    "，对照上级通报的{n4}个问题建立整改台账",
    "，结合{w2}工作编印政策汇编{n4}册",
    "，邀请群众代表{n3}人参与评议",
    "，将{obj}情况纳入{people}年度考核",
    "",
    "",
)
_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")

_OTHER = (
    "{year}年度本机关未收取信息处理费。",
    "本年度未收取依申请公开事项信息处理费。",
    "{year}年，本机关依据《政府信息公开信息处理费管理办法》未收取信息处理费。",
)
_OTHER_MORE = (
    "办理人大代表建议{n4}件、政协提案{n4b}件，办理结果已按规定公开。",
    "落实上级年度政务公开工作要点，{adv}{verb}{obj}。",
    "围绕{w1}开展政务开放日活动{n4}场，邀请群众代表参与。",
)


def _fill(tpl: str, rng: random.Random, ctx: dict) -> str:
    w = rng.sample(ctx["words"], 2)
    slots = {"adv": rng.choice(_ADVERBS), "verb": rng.choice(_VERBS), "channel": rng.choice(_CHANNELS),
             "obj": rng.choice(_OBJECTS), "goal": rng.choice(_GOALS), "people": rng.choice(_PEOPLE),
             "w1": w[0], "w2": w[1], "n1": rng.randint(30, 3000), "n2": rng.randint(5, 600),
             "n3": rng.randint(2, 200), "n4": rng.randint(1, 20), "n4b": rng.randint(1, 20),
             "month": rng.choice(_MONTHS)}
    slots.update(ctx)
    return tpl.format(**slots)


def _section_one(rng: random.Random, ctx: dict) -> str:
    paras = [_fill(rng.choice(_INTRO), rng, ctx)]
    banks = {1: _PROACTIVE, 2: _REQUESTS, 3: _MANAGEMENT, 4: _PLATFORM, 5: _OVERSIGHT}
    style = rng.randrange(3)
    for k, bank in banks.items():
        k_sents = rng.sample(bank, min(len(bank), rng.randint(2, 3)))
        if k == 2 and _REQUESTS[0] not in k_sents:
            k_sents[0] = _REQUESTS[0]       # the sentence that states the table's numbers
        body = "".join(_fill(s, rng, ctx) for s in k_sents)
        paras.append(f"{_SUB_TITLES[k][style]}\n{body}")
    return "\n".join(paras)


def _section_five(rng: random.Random, ctx: dict) -> str:
    probs = rng.sample(_PROBLEMS, rng.randint(3, 5))
    meas = rng.sample(_MEASURES, rng.randint(4, 6))
    p = "；".join(f"{_ORDINALS[i]}是{_fill(s + rng.choice(_TAILS), rng, ctx)}" for i, s in enumerate(probs))
    m = "；".join(f"{_ORDINALS[i]}是{_fill(s + rng.choice(_TAILS), rng, ctx)}" for i, s in enumerate(meas))
    year, nxt = ctx["year"], ctx["year"] + 1
    if rng.random() < 0.5:
        return (f"（一）存在的主要问题\n{year}年，{ctx['agency']}政府信息公开工作取得一定成效，但仍存在一些不足：{p}。\n"
                f"（二）改进情况\n{nxt}年，我们将重点做好以下工作：{m}。")
    return (f"{year}年，我单位政府信息公开工作还存在以下问题：{p}。针对上述问题，{nxt}年将采取以下措施：{m}。")


def _section_six(rng: random.Random, ctx: dict) -> str:
    parts = [_fill(rng.choice(_OTHER), rng, ctx)]
    for s in rng.sample(_OTHER_MORE, rng.randint(0, 2)):
        parts.append(_fill(s, rng, ctx))
    return "".join(parts)


def _intro(agency: Agency, year: int, rng: random.Random) -> str:
    scope = ""
    if agency.level == "city":
        scope = "本报告汇总了全市各县（市、区）和市政府各部门的政府信息公开工作情况。"
    elif agency.county_city:
        scope = "本报告汇总了全市各镇（街道）和市政府各部门的政府信息公开工作情况。"
    return (f"本报告根据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号的要求编制，{scope}"
            f"所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")


# ---------------------------------------------------------------------------------------------------
# Tables chained across years.

_APPLICANT_COLS = None


def _applicant_cols() -> list[str]:
    global _APPLICANT_COLS
    if _APPLICANT_COLS is None:
        _APPLICANT_COLS = [c.id for c in spec().table("requests").columns if c.id != "total"]
    return _APPLICANT_COLS


def chain_tables(tables: dict, prev: dict | None) -> dict:
    """Make ``tables`` (from :func:`complete_tables`) follow last year's: 上年结转 = last year's 结转下年度
    per column and 现行有效 = last year's + 制发 − 废止, keeping every identity of the year."""
    if prev is None:
        return tables
    req, preq = tables["requests"], prev["requests"]
    for c in _applicant_cols():
        cin = preq[("carried_out", c)]
        req[("carried_in", c)] = cin
        new = req[("results_total", c)] + req[("carried_out", c)] - cin
        if new < 0:                         # more was carried in than handled: carry the rest on
            req[("carried_out", c)] -= new
            new = 0
        req[("new", c)] = new
    for r in ("new", "carried_in", "carried_out", "results_total"):
        req[(r, "total")] = sum(req[(r, c)] for c in _applicant_cols())
    pro, ppro = tables["proactive"], prev["proactive"]
    for r in ("regulations", "normative_documents"):
        stock = ppro[(r, "in_force")]
        repealed = min(pro[(r, "repealed")], stock)
        pro[(r, "repealed")] = repealed
        pro[(r, "in_force")] = stock + pro[(r, "issued")] - repealed
    return tables


def _plant_carry_break(tables: dict, rng: random.Random) -> str:
    """Change this year's 上年结转 in one column (and 新收 so the year's own identities still hold)."""
    req = tables["requests"]
    col = rng.choice(_applicant_cols())
    cin = req[("carried_in", col)]
    delta = rng.randint(1, 3)
    req[("carried_in", col)] = cin + delta
    req[("new", col)] = req[("new", col)] - delta
    if req[("new", col)] < 0:               # keep new ≥ 0: raise the year's 结转下年度 instead
        shortfall = -req[("new", col)]
        req[("new", col)] = 0
        req[("carried_out", col)] += shortfall
    for r in ("new", "carried_in", "carried_out"):
        req[(r, "total")] = sum(req[(r, c)] for c in _applicant_cols())
    return col


# ---------------------------------------------------------------------------------------------------
# Damage done to the rendered text.

def _glue_digits(text: str, layout: str, rng: random.Random) -> str | None:
    """Run two adjacent cells of table 三 together (the separator lost)."""
    at = text.find("收到和处理政府信息公开申请情况")
    if at < 0:
        return None
    pat = {"pipe": r"(\d) \| (\d)", "markdown": r"(\d) \| (\d)", "cells": r"(\d) \|\n(\d)",
           "blank": r"(?<=\n)(\d+)\n\n(\d+)(?=\n)", "html": r"(\d)</td><td>(\d)"}[layout]
    hits = list(re.finditer(pat, text[at:]))
    if not hits:
        return None
    m = rng.choice(hits)
    s, e = at + m.start(), at + m.end()
    return text[:s] + m.group(1) + m.group(2) + text[e:]


def _non_numeric(text: str, layout: str, rng: random.Random) -> str | None:
    """Write a mark (``/``, ``—``, ``无``) where a cell of table 二 or 三 had a number."""
    at = text.find("主动公开政府信息情况")
    if at < 0:
        return None
    pat = {"pipe": r"(?<=\| )\d+(?= \|)", "markdown": r"(?<=\| )\d+(?= \|)", "cells": r"(?<=\n)\d+(?= \|)",
           "blank": r"(?<=\n\n)\d+(?=\n\n)", "html": r"(?<=<td>)\d+(?=</td>)"}[layout]
    hits = list(re.finditer(pat, text[at:]))
    if not hits:
        return None
    m = rng.choice(hits)
    return text[:at + m.start()] + rng.choice(("/", "—", "无", "-")) + text[at + m.end():]


def _truncate(text: str, rng: random.Random) -> str:
    """Cut the text the way captures do: after a few thousand bytes, mid-sentence."""
    return text[: max(200, int(len(text) * rng.uniform(0.25, 0.8)))]


_NOT_A_REPORT = ("关于开展{year}年安全生产月活动的通知\n各科室、各单位：\n为深入贯彻落实安全生产工作部署，"
                 "经研究，决定于{year}年6月开展安全生产月活动。请各单位结合实际制定活动方案，"
                 "认真组织隐患排查，并于6月30日前报送活动总结。\n特此通知。\n")


# ---------------------------------------------------------------------------------------------------

@dataclass
class _Planned:
    agency: Agency
    year: int
    data: dict
    tables: dict
    layout: str
    file: str
    defects: list
    copy_of: str | None = None
    copy_kind: str | None = None
    carry_break: str | None = None
    stock_break: bool = False
    stale: str | None = None
    encoding: str = "utf-8"
    sections_five: str = ""


def make_corpus(folder, n: int = 200, *, seed: int = 0, years=(2021, 2022, 2023, 2024),
                layouts=LAYOUTS, bad_files: int | None = None, copy_share: float = 0.03,
                cross_copy_share: float = 0.01, break_share: float = 0.03, stock_break_share: float = 0.01,
                stale_share: float = 0.01, defect_share: float = 0.12, gbk_share: float = 0.03) -> pd.DataFrame:
    """Write ``n`` files into ``folder`` (created) and return the manifest, one row per file.

    Agencies report for consecutive ``years`` (some skip a year). ``bad_files`` files are not reports
    (binary, empty, an unrelated notice; default: 0.3 % of ``n``, at least 3). Shares are of ``n``:
    ``copy_share`` reports copy section 五 from the same agency's previous report with the years moved
    on, ``cross_copy_share`` copy another agency's section 五 of the same year, ``break_share`` carry a
    carry-over break, ``stock_break_share`` a stock break and ``stale_share`` last year's table 四
    unchanged (when it has at least three non-zero cells); ``defect_share`` get a text defect
    (section omitted, table missing, glued digits, a mark in a cell, truncated). Planted reports and the
    reports they were copied from are left undamaged, so every plant is detectable.

    Manifest columns: ``file`` (name), ``kind`` (``report``, ``binary``, ``empty``, ``not_report``),
    ``agency``, ``year``, ``level``, ``layout``, ``encoding``, ``defects`` (``;``-joined),
    ``copy_of`` (file the section 五 was copied from), ``copy_kind`` (``same_agency``/``cross_agency``),
    ``carry_break`` (the column id whose 上年结转 was changed), ``stock_break`` and ``stale`` (the table
    repeated from last year, ``appeals``, when ``stale_share`` planted one).
    """
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bad = max(3, round(n * 0.003)) if bad_files is None else bad_files
    n_reports = max(0, n - bad)
    years = tuple(years)
    n_agencies = max(1, -(-n_reports // len(years)))
    agencies = make_agencies(2 * n_agencies + 8, seed=rng.randrange(1 << 30))   # enough to fill n
    # Each agency reports for a run of consecutive years (most for all of them).
    plan: list[_Planned] = []
    serial = 0
    for ag in agencies:
        if len(plan) >= n_reports:
            break
        span = len(years) if rng.random() < 0.8 else rng.randint(1, len(years))
        first = rng.randint(0, len(years) - span)
        for y in years[first:first + span]:
            if len(plan) >= n_reports:
                break
            tables = complete_tables(rng.randrange(1 << 30))       # chained to last year's below
            layout = rng.choice(layouts)
            serial += 1
            suffix = ".html" if layout == "html" else ".txt"
            plan.append(_Planned(ag, y, {}, tables, layout, f"r{serial:05d}{suffix}", []))
    by_key = {(p.agency.name, p.year): p for p in plan}

    def prev_of(p):
        return by_key.get((p.agency.name, p.year - 1))

    # Plant defects. Planted reports and their sources stay otherwise intact.
    protected: set[int] = set()
    with_prev = [i for i, p in enumerate(plan) if prev_of(p) is not None]
    rng.shuffle(with_prev)
    n_copy = round(n_reports * copy_share)
    n_break = round(n_reports * break_share)
    n_stock = round(n_reports * stock_break_share)
    idx = {id(p): i for i, p in enumerate(plan)}
    copy_targets = with_prev[:n_copy]
    break_targets = with_prev[n_copy:n_copy + n_break]
    stock_targets = with_prev[n_copy + n_break:n_copy + n_break + n_stock]
    # One pass in year order per agency: chain on from last year's (possibly planted) tables, then plant.
    stale_targets = with_prev[n_copy + n_break + n_stock:n_copy + n_break + n_stock + round(n_reports * stale_share)]
    breaks, stocks, stales = set(break_targets), set(stock_targets), set(stale_targets)
    for i, p in enumerate(plan):
        q = prev_of(p)
        if q is not None:
            chain_tables(p.tables, q.tables)
        if i in breaks:
            p.carry_break = _plant_carry_break(p.tables, rng)
            protected |= {i, idx[id(q)]}
        if i in stales and sum(v != 0 for v in q.tables["appeals"].values()) >= 3:
            p.tables["appeals"] = dict(q.tables["appeals"])     # last year's table 四 again
            p.stale = "appeals"
            protected |= {i, idx[id(q)]}
        if i in stocks:
            p.tables["proactive"][("normative_documents", "in_force")] += rng.randint(2, 9)
            p.stock_break = True
            protected |= {i, idx[id(q)]}

    # Write the prose (section 五 copies need the source's text first, so go in year order).
    order = sorted(range(len(plan)), key=lambda i: plan[i].year)
    copy_set = set(copy_targets)
    others_by_year: dict[int, list[int]] = {}
    for i, p in enumerate(plan):
        others_by_year.setdefault(p.year, []).append(i)
    cross_candidates = [i for i in range(len(plan)) if i not in copy_set]
    rng.shuffle(cross_candidates)
    cross_targets = set(cross_candidates[:round(n_reports * cross_copy_share)])
    for i in order:
        p = plan[i]
        prng = random.Random(rng.randrange(1 << 30))
        req = p.tables["requests"]
        ctx = {"agency": p.agency.name, "year": p.year, "words": list(p.agency.words),
               "new": req[("new", "total")], "cin": req[("carried_in", "total")],
               "cout": req[("carried_out", "total")]}
        five = _section_five(prng, ctx)
        if i in copy_set:
            src = prev_of(p)
            five = _shift_years(src.sections_five, +1)
            p.copy_of, p.copy_kind = src.file, "same_agency"
            protected |= {i, idx[id(src)]}
        elif i in cross_targets:
            pool = [j for j in others_by_year[p.year] if plan[j].agency.name != p.agency.name
                    and plan[j].sections_five and plan[j].copy_of is None]
            if pool:
                j = prng.choice(pool)
                src = plan[j]
                five = src.sections_five.replace(src.agency.name, p.agency.name)
                p.copy_of, p.copy_kind = src.file, "cross_agency"
                protected |= {i, j}
        p.sections_five = five
        p.data = {"title": _title(p.agency, p.year, prng), "intro": _intro(p.agency, p.year, prng),
                  "sections": {1: _section_one(prng, ctx), 5: five, 6: _section_six(prng, ctx)},
                  "tables": p.tables}

    rows = []
    for i, p in enumerate(plan):
        drng = random.Random(seed * 1_000_003 + i)
        data = dict(p.data)
        defect = None
        if i not in protected and drng.random() < defect_share:
            defect = drng.choice(("omit_section", "missing_table", "glued_digits", "non_numeric", "truncated"))
        if defect == "omit_section":
            sec = drng.choice((2, 4, 6))
            data["omit_sections"] = [sec]
            p.defects.append(f"omit_section_{sec}")
        elif defect == "missing_table":
            tid = drng.choice(("proactive", "requests", "appeals"))
            data["tables"] = {k: (None if k == tid else v) for k, v in p.tables.items()}
            p.defects.append(f"missing_table_{tid}")
        text = render_text(data, p.layout)
        if defect == "glued_digits":
            t2 = _glue_digits(text, p.layout, drng)
            if t2 is not None:
                text = t2
                p.defects.append("glued_digits")
        elif defect == "non_numeric":
            t2 = _non_numeric(text, p.layout, drng)
            if t2 is not None:
                text = t2
                p.defects.append("non_numeric")
        elif defect == "truncated":
            text = _truncate(text, drng)
            p.defects.append("truncated")
        path = folder / p.file
        if i not in protected and drng.random() < gbk_share and p.layout != "html":
            p.encoding = "gbk"
            path.write_bytes(text.encode("gbk"))
        else:
            path.write_text(text, encoding="utf-8")
        rows.append({"file": p.file, "kind": "report", "agency": p.agency.name, "year": p.year,
                     "level": p.agency.level, "layout": p.layout, "encoding": p.encoding,
                     "defects": ";".join(p.defects), "copy_of": p.copy_of, "copy_kind": p.copy_kind,
                     "carry_break": p.carry_break, "stock_break": p.stock_break, "stale": p.stale})
    for k in range(bad):
        kind = ("binary", "empty", "not_report")[k % 3]
        name = f"x{k:04d}.txt"
        if kind == "binary":
            blob = bytes(rng.randrange(256) for _ in range(2048))
            (folder / name).write_bytes(b"%PDF-1.4\n\x00\x00" + blob)
        elif kind == "empty":
            (folder / name).write_bytes(b"" if k % 2 else b"\n  \n")
        else:
            (folder / name).write_text(_NOT_A_REPORT.format(year=rng.choice(years)), encoding="utf-8")
        rows.append({"file": name, "kind": kind, "agency": None, "year": None, "level": None,
                     "layout": None, "encoding": None, "defects": "", "copy_of": None, "copy_kind": None,
                     "carry_break": None, "stock_break": False, "stale": None})
    out = pd.DataFrame(rows)
    out["year"] = out["year"].astype("Int64")
    return out


def _title(agency: Agency, year: int, rng: random.Random) -> str:
    return rng.choice((f"{agency.name}{year}年政府信息公开工作年度报告",
                       f"{agency.name}{year}年度政府信息公开工作年度报告"))


def _shift_years(text: str, by: int) -> str:
    """Move every year token (19xx/20xx) on by ``by``: how a report is copied into the next year."""
    return re.sub(r"(?<!\d)(19|20)\d\d(?!\d)", lambda m: str(int(m.group()) + by), text)
