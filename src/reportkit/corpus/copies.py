"""Copy detection (雷同): sections that are near-duplicates of another report's, at corpus scale.

Many agencies copy last year's 五、存在的主要问题及改进情况 and change only the years, or copy a
neighbour's text. Every report also shares wording the format itself imposes (titles, 《条例》, stock
phrases), so plain similarity would call everyone a copier. The method, in order:

1. **Normalise** each section body: NFKC, no spaces or punctuation, years masked as one symbol and other
   numbers as another (a copy with the years moved on is still a copy).
2. **Shingle**: every run of ``shingle`` characters, hashed to 32 bits (vectorised with numpy); a fixed
   ``1/sample`` of the hash space is kept (the same sample for every document, so Jaccard estimates stay
   unbiased while memory shrinks).
3. **Boilerplate**: the document frequency of each shingle is counted over *agencies* (an agency that
   repeats itself year after year counts once); shingles used by more than ``max(min_df, df_share ×
   agencies)`` are common wording and are dropped, and so are always the shingles of the format's own
   titles and labels and of a few standard phrases (:func:`format_wording`). Sections left with fewer
   than ``min_shingles`` shingles are too short to judge and are skipped. A corpus of fewer agencies than
   ``min_df`` cannot teach what is common, so there short template paragraphs can still show as copies.
4. **MinHash + LSH**: one-permutation MinHash (``bins`` bins, rotation densification) and banding
   (``bands`` × ``rows``) give candidate pairs in roughly linear time: no all-pairs comparison.
   Whole sections copied are also caught when little of their wording is their own: sections identical
   but for their years (``min_exact`` characters or more) are paired directly, and long sections
   (``near_min_chars``) go through a second, stricter LSH on all their shingles, boilerplate included;
   such pairs are copies when the two texts match as a whole (diff ratio ≥ ``whole_ratio``).
5. **Verify** each candidate exactly: Jaccard of the kept shingle sets ≥ ``threshold``; then a token diff
   (``difflib``; digit runs are single tokens) of the two original section texts gives the copied spans
   (offsets into each report's text) and what changed, with year tokens told apart, so "only the years
   changed" is stated when it is true. When either section keeps fewer than ``small_set`` shingles,
   the two texts must also match as a whole (diff ratio ≥ ``whole_ratio``): short template paragraphs
   with different fillers share their little own wording by chance.

Only the same section number is compared (五 with 五). Pairs are oriented earlier → later (year, then
input order); ``kind`` says whether both reports are the same agency's.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from dataclasses import asdict, dataclass


from ..format import TABLE_IDS, VERSIONS, spec
from ..text import NUMERALS, Folded
from .findings import FINDING_COLUMNS, finding

TEXT_SECTIONS = (1, 5, 6)       # the prose sections copy detection compares

YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DROP = re.compile(r"[^\w\ue000\ue001]|_")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d]")     # a number, or one letter/character (no punctuation)
_COMPAT = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2460-\u24ff\u2f00-\u2fdf\u3200-\u33ff"
                     r"\uf900-\ufaff\ufe30-\ufe4f]")
_MASK64 = (1 << 64) - 1

COPY_COLUMNS = ["section", "kind", "report_a", "source_a", "agency_a", "year_a", "report_b", "source_b",
                "agency_b", "year_b", "jaccard", "containment", "ratio", "copied_share", "spans_a",
                "spans_b", "year_changes", "changes", "only_years_changed", "numbers_only", "identical"]


@dataclass(frozen=True)
class CopyParams:
    """Knobs of :func:`find_copies` (defaults tuned on synthetic corpora of 40 to 10,000 reports)."""

    shingle: int = 6            # characters per shingle (after normalisation)
    sample: int = 2             # keep the shingles whose hash is 0 modulo this
    bins: int = 128             # one-permutation MinHash bins (a power of two)
    bands: int = 32             # LSH bands × rows ≤ bins; P(candidate) = 1 − (1 − J^rows)^bands
    rows: int = 4
    threshold: float = 0.6      # Jaccard of the kept shingles from which a pair is a copy
    small_set: int = 40         # sections with fewer kept shingles than this must also match as a whole
    whole_ratio: float = 0.9    # "match as a whole": difflib ratio of the two texts (tokens) at least this
    near_min_chars: int = 200   # sections this long (normalised) are also compared with their boilerplate:
    near_bands: int = 16        # LSH on all their shingles, for whole sections nearly identical (a name
    near_rows: int = 8          # swapped) whose own wording is too little for the Jaccard above
    near_jaccard: float = 0.7   # signature estimate these pairs need before the diff
    min_shingles: int = 10      # sections with fewer kept (sampled) shingles (≈ 20 characters) are not judged
    df_share: float = 0.02      # boilerplate: used by more than this share of agencies …
    min_df: int = 5             # … and by more than this many agencies
    min_span: int = 12          # copied spans shorter than this many tokens are not listed
    max_bucket: int = 500       # LSH buckets larger than this are skipped (counted in the stats)
    min_exact: int = 80         # sections this long (normalised) that are identical but for the years
                                # are copies even when all their wording is common; a group of more than
                                # 50 is paired with its first member only
    max_tokens: int = 20000     # longer sections are diffed on their first max_tokens tokens
    max_candidates: int = 20    # per eligible section: LSH pairs beyond this many × sections are not
                                # verified (the closest estimates are kept; the rest counted in the stats)


def normalise(text: str, numbers: bool = True) -> str:
    """Section text as shingled: NFKC, lower case, years → U+E000, other numbers → U+E001 (kept as
    written when ``numbers`` is False), no spaces or punctuation."""
    # Punctuation is dropped anyway, so NFKC is needed only for full-width letters and digits and the
    # few other compatibility forms (①, ㈠, compatibility ideographs): skip it when there are none.
    t = unicodedata.normalize("NFKC", text) if _COMPAT.search(text) else text
    t = t.lower()
    t = YEAR.sub("\ue000", t)
    if numbers:
        t = _NUMBER.sub("\ue001", t)
    return _DROP.sub("", t)


def _unique(a: np.ndarray, counts: bool = False):
    """Sorted unique values (and their counts): a plain sort, faster here than ``np.unique``."""
    import numpy as np
    a = np.sort(a)
    if len(a) == 0:
        return (a, np.zeros(0, np.int64)) if counts else a
    first = np.empty(len(a), dtype=bool)
    first[0] = True
    np.not_equal(a[1:], a[:-1], out=first[1:])
    u = a[first]
    if not counts:
        return u
    starts = np.flatnonzero(first)
    return u, np.diff(np.append(starts, len(a)))


def shingle_hashes(texts: list[str], k: int = 6, sample: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Sampled shingle hashes of normalised ``texts``: (doc index, hash) arrays, unique per document and
    sorted by (doc, hash)."""
    import numpy as np
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    n_sh = np.maximum(lengths - k + 1, 0)
    total = int(n_sh.sum())
    if total == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.uint32)
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.cumsum(lengths) - lengths
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), n_sh)
    first = np.cumsum(n_sh) - n_sh
    pos = np.arange(total, dtype=np.int64) - np.repeat(first, n_sh) + np.repeat(starts, n_sh)
    h = np.zeros(total, dtype=np.uint64)
    prime = np.uint64(1000003)
    for j in range(k):
        h = h * prime + cps[pos + j]
    # A 64-bit finaliser (xorshift-multiply) spreads the polynomial hash over all bits.
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h32 = (h >> np.uint64(32)).astype(np.uint32)
    keep = (h32 % np.uint32(sample)) == 0
    key = _unique((doc[keep].astype(np.uint64) << np.uint64(32)) | h32[keep].astype(np.uint64))
    return (key >> np.uint64(32)).astype(np.int32), (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)


# Wording every report uses because the format or the 条例 asks for it, dropped even in a corpus too
# small to learn it from document frequency: the format's own titles and labels come from format.yaml,
# these are the standard phrases around them.
STANDARD_PHRASES = (
    "中华人民共和国政府信息公开条例", "政府信息公开工作年度报告", "国办公开办函〔2021〕30号",
    "国务院办公厅政府信息与政务公开办公室", "以公开为常态、不公开为例外", "公开为常态、不公开为例外",
    "应公开尽公开", "先审查、后公开", "政府信息公开信息处理费管理办法", "未收取信息处理费",
    "依申请公开事项信息处理费", "人大代表建议和政协提案", "统计期限自", "年1月1日起至", "年12月31日止",
)


def format_wording() -> list[str]:
    """The texts whose shingles are always boilerplate: section and table titles, row and column labels
    of every version of the format, section-一 topics, and :data:`STANDARD_PHRASES`."""
    f = spec()
    out = [s.title for s in f.sections] + [t["label"] for t in f.overview_topics]
    for v in VERSIONS:
        for tid in TABLE_IDS:
            t = f.table(tid, v)
            out += [t.title, t.corner or ""] + [r.label for r in t.rows] + [c.label for c in t.columns]
            out += [b.label for b in t.blocks]
    return [x for x in dict.fromkeys(out + list(STANDARD_PHRASES)) if x]


def _format_boilerplate(k: int, sample: int) -> np.ndarray:
    _, h = shingle_hashes([normalise(x) for x in format_wording()], k, sample)
    return _unique(h)


def _exact_pairs(norm: list[str], sections: np.ndarray, min_chars: int) -> np.ndarray:
    """Pairs (i < j) of documents of one section number with the same normalised text."""
    import numpy as np
    groups: dict = {}
    for i, t in enumerate(norm):
        if len(t) >= min_chars:
            groups.setdefault((int(sections[i]), t), []).append(i)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        if len(members) > 50:               # a mass copy: everyone against the first, not all pairs
            out += [(members[0], j) for j in members[1:]]
        else:
            out += [(a, b) for k, a in enumerate(members) for b in members[k + 1:]]
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def _signatures(doc: np.ndarray, h: np.ndarray, n_docs: int, bins: int) -> np.ndarray:
    """One-permutation MinHash with rotation densification: (n_docs, bins) uint64."""
    import numpy as np
    shift = 32 - int(math.log2(bins))
    sentinel = np.uint64(1 << 63)
    sig = np.full(n_docs * bins, sentinel, dtype=np.uint64)
    for lo in range(0, len(h), 1 << 20):     # in slices, to bound the temporary arrays
        hs = h[lo:lo + (1 << 20)]
        at = doc[lo:lo + (1 << 20)].astype(np.int64) * bins + (hs >> np.uint32(shift))
        np.minimum.at(sig, at, (hs & np.uint32((1 << shift) - 1)).astype(np.uint64))
    sig = sig.reshape(n_docs, bins)
    ar = np.arange(bins)
    for lo in range(0, n_docs, 4096):       # in blocks, to bound the temporary arrays
        block = sig[lo:lo + 4096]
        empty = block == sentinel
        if not empty.any():
            continue
        # An empty bin borrows the next non-empty bin to its right (circularly), shifted by the distance,
        # so two documents agree on it only when they agree on the bin it borrowed from.
        idx2 = np.concatenate([np.where(empty, 2 * bins, ar[None, :]),
                               np.where(empty, 2 * bins, ar[None, :] + bins)], axis=1)
        nxt = np.minimum.accumulate(idx2[:, ::-1], axis=1)[:, ::-1][:, :bins]
        dist = (nxt - ar[None, :]).astype(np.uint64)
        rows = np.arange(len(block))[:, None]
        sig[lo:lo + 4096] = block[rows, nxt % bins] + (dist << np.uint64(shift))
    return sig


def _band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n_docs, bands) uint64 hashes of each band."""
    import numpy as np
    rng = np.random.default_rng(20211)
    mult = rng.integers(1, 1 << 62, size=rows, dtype=np.uint64) | np.uint64(1)
    out = np.empty((sig.shape[0], bands), dtype=np.uint64)
    for b in range(bands):
        part = sig[:, b * rows:(b + 1) * rows]
        key = (part * mult[None, :]).sum(axis=1, dtype=np.uint64)
        key ^= np.uint64((b + 1) * 0x9E3779B97F4A7C15 & _MASK64)
        key *= np.uint64(0xBF58476D1CE4E5B9)
        out[:, b] = key
    return out


_PAIR_BUDGET = 2_000_000


def _candidate_pairs(keys: np.ndarray, max_bucket: int, budget: int | None = None) -> tuple[np.ndarray, int]:
    """Pairs (i < j) of rows sharing a band key; returns (pairs array (n, 2), skipped buckets). Buckets
    are taken smallest first (a large bucket is mostly shared wording) until they would make more than
    ``budget`` pairs: the rest are skipped, so the pairs never grow with the square of the corpus."""
    import numpy as np
    n, bands = keys.shape
    flat = keys.ravel()
    order = np.argsort(flat, kind="stable")
    sorted_keys = flat[order]
    docs = order // bands
    bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate([[0], bounds])
    sizes = np.diff(np.append(starts, len(flat)))
    # Buckets of one size at a time: every pair of members, for all buckets of that size at once.
    parts = [np.zeros((0, 2), np.int64)]
    skipped = int((sizes > max_bucket).sum())
    made = 0
    for size in np.unique(sizes[(sizes > 1) & (sizes <= max_bucket)]):
        n_buckets = int((sizes == size).sum())
        if budget is not None and made + n_buckets * size * (size - 1) // 2 > budget:
            skipped += int(((sizes >= size) & (sizes <= max_bucket)).sum())
            break
        made += n_buckets * size * (size - 1) // 2
        members = docs[starts[sizes == size][:, None] + np.arange(size)[None, :]]
        i, j = np.triu_indices(int(size), 1)
        parts.append(np.stack([members[:, i].ravel(), members[:, j].ravel()], axis=1))
    allp = np.concatenate(parts)
    allp = allp[allp[:, 0] != allp[:, 1]]
    if not len(allp):
        return np.zeros((0, 2), np.int64), skipped
    lo, hi = np.minimum(allp[:, 0], allp[:, 1]), np.maximum(allp[:, 0], allp[:, 1])
    code = _unique(lo.astype(np.int64) * n + hi)
    return np.stack([code // n, code % n], axis=1), skipped


def _tokens(text: str, limit: int):
    """Tokens (digit runs, single characters; no spaces or punctuation) of NFKC-folded ``text``, with
    their spans in the original ``text``."""
    f = Folded(text)
    found = _TOKEN.findall(f.text)[:limit]
    spans = [m.span() for m, _ in zip(_TOKEN.finditer(f.text), range(limit))]
    return found, [f.orig(a) for a, _ in spans], [f.orig_end(b) for _, b in spans]


def compare_texts(a: str, b: str, offset_a: int = 0, offset_b: int = 0, min_span: int = 12,
                  max_tokens: int = 20000) -> dict:
    """Token diff of two section texts: copied spans (offsets + the given offsets), the changes, and
    which changes are year tokens (``2021→2022``). ``changes`` lists the other changes (a number for a
    number included), ``numbers_only`` says no word changed. Punctuation and spaces are ignored."""
    import difflib
    ta, sa, ea = _tokens(a, max_tokens)
    tb, sb, eb = _tokens(b, max_tokens)
    sm = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    spans_a, spans_b, year_changes, changes = [], [], [], []
    matched = 0
    words = False               # a change other than a number for a number
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            if i2 - i1 >= min_span:
                spans_a.append([offset_a + sa[i1], offset_a + ea[i2 - 1]])
                spans_b.append([offset_b + sb[j1], offset_b + eb[j2 - 1]])
                matched += j2 - j1
            continue
        left, right = ta[i1:i2], tb[j1:j2]
        if (tag == "replace" and len(left) == len(right)
                and all(YEAR.fullmatch(x) for x in left) and all(YEAR.fullmatch(y) for y in right)):
            year_changes.extend(f"{x}→{y}" for x, y in zip(left, right))
            continue
        changes.append(f"{''.join(left)[:30]}→{''.join(right)[:30]}")
        if not (tag == "replace" and len(left) == len(right)
                and all(_NUMBER.fullmatch(x) for x in left + right)):
            words = True
    return {"ratio": sm.ratio(), "copied_share": matched / len(tb) if tb else 0.0,
            "spans_a": spans_a, "spans_b": spans_b,
            "year_changes": list(dict.fromkeys(year_changes)), "changes": changes[:20],
            "only_years_changed": bool(year_changes) and not changes,
            "numbers_only": not words,
            "identical": not year_changes and not changes}


def _lsh_pairs(doc: np.ndarray, h: np.ndarray, members: np.ndarray, sections: np.ndarray, n_docs: int,
               bins: int, bands: int, rows: int, max_bucket: int, min_est: float,
               cap: int | None = None) -> tuple[np.ndarray, int, int, int]:
    """Candidate pairs (document ids, i < j) among ``members``: one-permutation MinHash of their hashes,
    banding within each section number, then only pairs whose signatures agree on at least ``min_est``
    of the bins (the estimate of their Jaccard), at most ``cap`` of them (the closest estimates).
    Returns (pairs, LSH candidates, skipped buckets, pairs skipped by the cap)."""
    import numpy as np
    if len(members) < 2:
        return np.zeros((0, 2), np.int64), 0, 0, 0
    compact = np.full(n_docs, -1, dtype=np.int32)
    compact[members] = np.arange(len(members), dtype=np.int32)
    local = compact[doc]
    sel = local >= 0
    sig = _signatures(local[sel], h[sel], len(members), bins)
    del local, sel
    bkeys = _band_keys(sig, bands, rows)
    cand, skipped = [], 0
    for sec in np.unique(sections[members]):
        rows_ = np.flatnonzero(sections[members] == sec)
        # The pairs of a bucket grow with its square: at most _PAIR_BUDGET of them (≈ 200 MB of
        # temporaries) per section, whatever the corpus size; what is left is counted as skipped.
        pairs, sk = _candidate_pairs(bkeys[rows_], max_bucket,
                                     None if cap is None else min(8 * cap, _PAIR_BUDGET))
        skipped += sk
        if len(pairs):
            cand.append(rows_[pairs])
    cand = np.concatenate(cand) if cand else np.zeros((0, 2), np.int64)
    n_cand = len(cand)
    if n_cand:
        est = np.empty(n_cand)
        for k in range(0, n_cand, 8192):       # blocks: two (8192 × bins) slices at a time
            part = cand[k:k + 8192]
            est[k:k + 8192] = (sig[part[:, 0]] == sig[part[:, 1]]).mean(axis=1)
        keep = est >= min_est
        cand, est = cand[keep], est[keep]
    capped = 0
    if cap is not None and len(cand) > cap:
        # Many near-identical sections make buckets of many members, and pairs grow with their square:
        # verify the closest ``cap`` (a stable order, so a run is reproducible) and say how many were left.
        order = np.argsort(-est, kind="stable")[:cap]
        capped = len(cand) - cap
        cand = cand[np.sort(order)]
    return members[cand], n_cand, skipped, capped


def find_copies(docs: pd.DataFrame, params: CopyParams | None = None, **overrides) -> pd.DataFrame:
    """Near-duplicate sections among ``docs``.

    Sections whose text is exactly the same (the same report saved twice, one text filed by many
    agencies) are grouped first, by content: each group is compared once, through its earliest member
    (year, then input order), and every other member is paired with that one as ``identical``, so
    repeated documents cost no pairwise work. LSH candidates are capped (``max_candidates`` per
    section; ``stats["skipped_candidates"]`` counts what the cap left out).

    ``docs`` has one row per (report, section) with columns ``report_id``, ``source``, ``agency_key``
    (None when unknown: the report then counts as its own agency), ``agency``, ``year``, ``section``,
    ``text`` (the section body) and ``offset`` (where the body starts in the report's text, so spans
    index ``Report.text``). Returns one row per copied pair (:data:`COPY_COLUMNS`); ``attrs["stats"]``
    holds counts and timings of each stage.
    """
    import numpy as np
    import pandas as pd
    p = params or CopyParams()
    if overrides:
        p = CopyParams(**{**asdict(p), **overrides})
    if p.bands * p.rows > p.bins or p.near_bands * p.near_rows > p.bins or p.bins & (p.bins - 1):
        raise ValueError("bins must be a power of two and bands × rows ≤ bins")
    t0 = time.perf_counter()
    n_in = len(docs)
    docs = docs[docs["text"].notna()]
    order = docs.assign(_y=docs["year"].astype("Float64").fillna(-1)).sort_values(["_y", "report_id"],
                                                                                  kind="stable").index
    docs = docs.loc[order].reset_index(drop=True)
    group = docs.groupby(["section", "text"], sort=False).ngroup().to_numpy()
    first = ~pd.Series(group).duplicated().to_numpy()
    reps = docs[first].reset_index(drop=True)
    res = _find_distinct(reps, p)
    stats = res.attrs["stats"]
    stats["docs"] = n_in
    stats["distinct"] = len(reps)
    rep_of = dict(zip(group[first].tolist(), range(len(reps))))
    out = []
    spans_of: dict = {}             # group → copied spans relative to the text (tokenised once per group)
    for k in np.flatnonzero(~first):
        g = int(group[k])
        a, b = reps.iloc[rep_of[g]], docs.iloc[k]
        if g not in spans_of:
            spans_of[g] = (None if len(normalise(a["text"], numbers=False)) < p.min_exact
                           else _identical(a["text"], 0, 0, p))
        same = spans_of[g]
        if same is None:
            continue
        oa, ob = int(a["offset"]), int(b["offset"])
        out.append(_pair_row(a, b, 1.0, 1.0, {**same, "spans_a": [[oa + x, oa + y] for x, y in same["spans_a"]],
                                              "spans_b": [[ob + x, ob + y] for x, y in same["spans_b"]],
                                              "year_changes": [], "changes": []}))
    stats["identical_in_groups"] = len(out)
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    if out:
        res = pd.concat([res, pd.DataFrame(out, columns=COPY_COLUMNS)], ignore_index=True)
        res = res.sort_values(["section", "report_b", "report_a"]).reset_index(drop=True)
        for c in ("year_a", "year_b"):
            res[c] = res[c].astype("Int64")
    res.attrs["stats"] = stats
    return res


def _identical(text: str, offset_a: int, offset_b: int, p: CopyParams) -> dict:
    """What :func:`compare_texts` says of a text and itself, without the diff (quadratic in the worst
    case): one copied span over all its tokens."""
    tokens, starts, ends = _tokens(text, p.max_tokens)
    spans = [[starts[0], ends[-1]]] if len(tokens) >= p.min_span else []
    return {"ratio": 1.0, "copied_share": 1.0 if tokens else 0.0,
            "spans_a": [[offset_a + x, offset_a + y] for x, y in spans],
            "spans_b": [[offset_b + x, offset_b + y] for x, y in spans],
            "year_changes": [], "changes": [], "only_years_changed": False, "numbers_only": True,
            "identical": True}


def _pair_row(ra, rb, jac: float, containment: float, cmp: dict) -> dict:
    import pandas as pd
    same = ra["agency_key"] is not None and not pd.isna(ra["agency_key"]) and ra["agency_key"] == rb["agency_key"]
    return {"section": int(ra["section"]), "kind": "same_agency" if same else "cross_agency",
            "report_a": int(ra["report_id"]), "source_a": ra["source"], "agency_a": ra["agency"],
            "year_a": ra["year"], "report_b": int(rb["report_id"]), "source_b": rb["source"],
            "agency_b": rb["agency"], "year_b": rb["year"], "jaccard": round(jac, 4),
            "containment": round(containment, 4), **cmp}


def _find_distinct(docs: pd.DataFrame, p: CopyParams) -> pd.DataFrame:
    """:func:`find_copies` on sections of distinct texts."""
    import numpy as np
    import pandas as pd
    t0 = time.perf_counter()
    stats: dict = {"docs": len(docs)}
    n_docs = len(docs)
    texts = docs["text"].tolist()
    sections = docs["section"].to_numpy()
    norm = [normalise(t) for t in texts]
    lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=n_docs)
    # Shingle in batches to bound the temporary arrays.
    doc_parts, hash_parts = [], []
    batch, i = [], 0
    size = 0
    for j, t in enumerate(norm):
        batch.append(t)
        size += len(t)
        if size > 1_000_000 or j == len(norm) - 1:
            d, h = shingle_hashes(batch, p.shingle, p.sample)
            doc_parts.append(d + i)
            hash_parts.append(h)
            i = j + 1
            batch, size = [], 0
    del norm, batch
    doc = np.concatenate(doc_parts) if doc_parts else np.zeros(0, np.int32)
    h = np.concatenate(hash_parts) if hash_parts else np.zeros(0, np.uint32)
    del doc_parts, hash_parts
    stats["shingles"] = int(len(h))
    # Whole sections copied: identical but for the years, or nearly identical as a whole (a name
    # swapped), are copies whatever their wording, even when little of it is their own.
    exact = _exact_pairs([normalise(t, numbers=False) for t in texts], sections, p.min_exact)
    near_members = np.flatnonzero(lengths >= p.near_min_chars)
    near, n_near, _, near_capped = _lsh_pairs(doc, h, near_members, sections, n_docs, p.bins, p.near_bands,
                                              p.near_rows, p.max_bucket, p.near_jaccard,
                                              p.max_candidates * max(len(near_members), 1))
    t1 = time.perf_counter()
    # Boilerplate: document frequency over agencies.
    keys = docs["agency_key"].astype(object).where(docs["agency_key"].notna(),
                                                    "#report:" + docs["report_id"].astype(str))
    unit_codes, uniques = pd.factorize(keys)
    n_units = len(uniques)
    limit = max(p.min_df, math.ceil(p.df_share * n_units))
    if len(h):
        pair = _unique((h.astype(np.uint64) << np.uint64(32)) | unit_codes[doc].astype(np.uint64))
        vals, counts = _unique((pair >> np.uint64(32)).astype(np.uint32), counts=True)
        boiler = np.union1d(vals[counts > limit], _format_boilerplate(p.shingle, p.sample))
        del pair, vals, counts
        keep = ~np.isin(h, boiler)
        doc, h = doc[keep], h[keep]
        del keep
    else:
        boiler = np.zeros(0, np.uint32)
    stats.update(agencies=n_units, boilerplate_limit=limit, boilerplate_shingles=int(len(boiler)),
                 kept_shingles=int(len(h)))
    per_doc = np.bincount(doc, minlength=n_docs)
    eligible = np.flatnonzero(per_doc >= p.min_shingles)
    stats["eligible"] = int(len(eligible))
    stats["too_short"] = int(n_docs - len(eligible))
    offsets = np.concatenate([[0], np.cumsum(per_doc)])
    t2 = time.perf_counter()
    # MinHash + LSH on the shingles left, within each section number; the signature estimate keeps the
    # pairs near the threshold (the margin is several standard errors of a 128-bin estimate).
    cand, n_cand, skipped, capped = _lsh_pairs(doc, h, eligible, sections, n_docs, p.bins, p.bands, p.rows,
                                               p.max_bucket, p.threshold - 0.2,
                                               p.max_candidates * max(len(eligible), 1))
    stats.update(candidates=int(n_cand), skipped_buckets=skipped, estimated_close=int(len(cand)),
                 skipped_candidates=int(capped + near_capped),
                 identical_pairs=int(len(exact)), near_candidates=int(n_near), near_close=int(len(near)))
    exact_set = {(int(a), int(b)) for a, b in exact}
    near_set = {(int(a), int(b)) for a, b in near}
    todo = sorted({(int(a), int(b)) for a, b in cand} | near_set | exact_set)
    t3 = time.perf_counter()
    # Exact verification.
    rid = docs["report_id"].to_numpy()
    years = docs["year"].astype("Float64").fillna(-1).to_numpy()
    out = []
    for a, b in todo:
        ha = h[offsets[a]:offsets[a + 1]]
        hb = h[offsets[b]:offsets[b + 1]]
        inter = len(np.intersect1d(ha, hb, assume_unique=True))
        union = len(ha) + len(hb) - inter
        jac = inter / union if union else 1.0
        whole = (a, b) in exact_set
        if jac < p.threshold and not whole and (a, b) not in near_set:
            continue
        if (years[b], rid[b]) < (years[a], rid[a]):
            a, b = b, a
        ra, rb = docs.iloc[a], docs.iloc[b]
        cmp = compare_texts(ra["text"], rb["text"], int(ra["offset"]), int(rb["offset"]), p.min_span,
                            p.max_tokens)
        close = cmp["ratio"] >= p.whole_ratio
        # Sections with little wording of their own share it by chance more easily (two template
        # paragraphs with other fillers): they must also match as a whole.
        own = jac >= p.threshold and (min(len(ha), len(hb)) >= p.small_set or close)
        if not (whole or own or ((min(a, b), max(a, b)) in near_set and close)):
            continue
        out.append(_pair_row(ra, rb, jac, inter / min(len(ha), len(hb)) if min(len(ha), len(hb)) else 1.0, cmp))
    t4 = time.perf_counter()
    stats.update(copies=len(out), seconds_shingle=round(t1 - t0, 3), seconds_boilerplate=round(t2 - t1, 3),
                 seconds_lsh=round(t3 - t2, 3), seconds_verify=round(t4 - t3, 3),
                 seconds=round(t4 - t0, 3))
    res = pd.DataFrame(out, columns=COPY_COLUMNS)
    if len(res):
        res = res.sort_values(["section", "report_b", "report_a"]).reset_index(drop=True)
    for c in ("year_a", "year_b"):
        res[c] = res[c].astype("Int64")
    res.attrs["stats"] = stats
    return res


def detect_copies(corpus, params=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copy detection over the corpus's sections 一, 五 and 六: (copies table, ``copied_section``
    findings). See :func:`find_copies` for the method."""
    import pandas as pd
    secs = corpus.sections
    secs = secs[secs["text"].notna() & secs["number"].isin(TEXT_SECTIONS)]
    empty = pd.DataFrame(columns=["source"] + FINDING_COLUMNS)
    if secs.empty:
        return pd.DataFrame(columns=COPY_COLUMNS), empty
    meta = corpus.reports[["report_id", "agency", "agency_key", "year"]]
    docs = secs[["report_id", "source", "number", "text", "body_start"]].merge(meta, on="report_id")
    docs = docs.rename(columns={"number": "section", "body_start": "offset"})
    docs["source"] = docs["source"].astype(str)
    if isinstance(params, dict):
        params = CopyParams(**params)
    res = find_copies(docs, params)
    text_of = dict(zip(zip(docs["report_id"], docs["section"]), zip(docs["text"], docs["offset"])))
    out = []
    for r in res.itertuples(index=False):
        sec = NUMERALS[r.section]
        if r.only_years_changed:
            changes = "，仅年份不同（" + "、".join(r.year_changes) + "）"
        elif r.identical:
            changes = "，文字完全相同"
        elif r.numbers_only:
            changes = "，只有年份和数字不同（套用同一模板）"
        else:
            changes = ""
        targets = [("b", r.report_b, r.source_b, r.spans_b, r.source_a, r.agency_a, r.year_a)]
        # No earlier one (same year, or a year unknown): both are named.
        earlier = pd.notna(r.year_a) and pd.notna(r.year_b) and r.year_a < r.year_b
        if not earlier and r.kind == "cross_agency":
            targets.append(("a", r.report_a, r.source_a, r.spans_a, r.source_b, r.agency_b, r.year_b))
        for _, rid, src, spans, other, other_agency, other_year in targets:
            text, offset = text_of[(rid, r.section)]
            start = min(s for s, _ in spans) if len(spans) else None
            end = max(e for _, e in spans) if len(spans) else None
            evidence = text[spans[0][0] - offset:spans[0][1] - offset][:80] if len(spans) else None
            who = "本机关" if r.kind == "same_agency" else f"{other_agency or '另一机关'}"
            whose_en = "the same agency's" if r.kind == "same_agency" else f"{other_agency or 'another agency'}'s"
            changes_en = ("; only the years changed: " + ", ".join(r.year_changes) if r.only_years_changed
                          else "; the text is the same" if r.identical
                          else "; only years and numbers changed (one template)" if r.numbers_only else "")
            out.append(finding(
                src, "copied_section", int(r.section), None, None, None,
                f"第{sec}部分与{who}{other_year if pd.notna(other_year) else ''}年报告（{other}）雷同："
                f"去除格式套话后相似度{r.jaccard:.0%}，相同文字占{r.copied_share:.0%}{changes}。",
                f"Section {r.section} is a near copy of {whose_en} report {other} (similarity {r.jaccard:.0%} "
                f"without boilerplate, {r.copied_share:.0%} of the text identical{changes_en}).",
                start, end, evidence, origin="author"))
    return res, pd.DataFrame(out, columns=["source"] + FINDING_COLUMNS)
