"""The Chinese words and patterns every stage reads reports with, once: negation of receiving,
statistics periods, units of count, agency-name suffixes.

Patterns are regular-expression source (``str``), to be composed into a stage's own expression, and
are written for width-folded text (ASCII brackets and punctuation, see :func:`reportkit.text.fold`).
A stage that needs to read the same thing reads it with the same words, so the loader, the checks and
the reconstruction give one answer (``本年度未受理政府信息公开申请`` is a negation for all of them).
"""

from __future__ import annotations

from .text import CN_DIGIT

# 未收到 / 没有受理 / 未曾接到过 / 未接收到: saying that nothing was received (an application, a case).
NEG_RECEIVE = r"(?:未|没有)曾?(?:收到|受理|接到|接收到?|受到)过?"

# The words that introduce a report's statistics period (统计期限为2021年1月1日至12月31日).
STAT_PERIOD = r"(?:统计(?:期限|时限|期|区间|时间|周期)|时间范围)"

# Units a count of applications or cases is stated in, and the family each belongs to (件 and 宗 count
# the same things; 条 counts items of information).
COUNT_UNITS = frozenset({"件", "宗", "份", "条", "起"})
UNIT_FAMILY = {"件": "件", "宗": "件", "份": "件", "起": "件", "余件": "件", "条": "条", "余条": "条"}

# How the name of an agency ends (市公安局, 某某镇人民政府, 某某街道办事处).
AGENCY_SUFFIX = r"(?:局|委员会|委|办公室|办|人民政府|政府|镇|乡|街道|街道办事处|办事处|中心|院|厅|部|署|所|馆|站|队|会|分局)"

# The enumerator a row label or a heading opens with, at the format's three levels: 一、 （一） 1.
# (written for width-folded text and unfolded labels alike: both bracket forms). Whitespace after it
# is the caller's: a label key has none, a label may.
ENUMERATOR = rf"(?:{CN_DIGIT}+、|[（(]{CN_DIGIT}+[）)]|\d+[.．、])"

# How an agency names itself when it does not give its name (本机关, 我局).
GENERIC_AGENCY = frozenset({"本机关", "我局", "本局", "我单位", "本单位", "我镇", "本镇"})
