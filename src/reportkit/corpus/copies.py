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

At scale (:func:`find_copies_parquet`, what a streamed run uses) nothing holds the texts: the sections
file is read one row group at a time into a few numbers and a 16-bit MinHash signature (256 bytes) per
distinct section; the sampled shingles spill to disk and the boilerplate is counted one slice of the hash
space at a time; texts are read back only for the pairs to verify. A section number with so many
documents that ``bands`` × ``rows`` would make more than ``pair_budget`` LSH pairs gets more rows per band
(``auto_bands``; counted exactly before any pair is made, and recorded in ``stats["banding"]``), so
random agreement stays bounded as the corpus grows; what the budget and the candidate cap still leave
out is counted (``skipped_buckets``, ``skipped_candidates``) and the ``corpus`` command says so.

Only the same section number is compared (五 with 五). Pairs are oriented earlier → later (year, then
input order); ``kind`` says whether both reports are the same agency's.
"""

from __future__ import annotations

import math
import time
import unicodedata
from dataclasses import asdict, dataclass


from ..format import TABLE_IDS, VERSIONS, spec
from ..text import NUMERALS, Folded
from .findings import FINDING_COLUMNS, finding
from .. import rx

TEXT_SECTIONS = (1, 5, 6)       # the prose sections copy detection compares

YEAR = rx.lazy(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMBER = rx.lazy(r"\d+(?:\.\d+)?")
_DROP = rx.lazy(r"[^\w\ue000\ue001]|_")
_TOKEN = rx.lazy(r"\d+(?:\.\d+)?|[^\W\d]")     # a number, or one letter/character (no punctuation)
_COMPAT = rx.lazy(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2460-\u24ff\u2f00-\u2fdf\u3200-\u33ff"
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
    pair_budget: int = 2_000_000  # LSH pairs at most per section number (≈ 200 MB of temporaries), and
                                # at most 8 × max_candidates per eligible section
    auto_bands: bool = True     # a section number with so many documents that bands × rows above would
                                # make more LSH pairs than the budget gets more rows per band (fewer
                                # bands): random agreement stays bounded as the corpus grows


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
        part = sig[:, b * rows:(b + 1) * rows].astype(np.uint64)
        key = (part * mult[None, :]).sum(axis=1, dtype=np.uint64)
        key ^= np.uint64((b + 1) * 0x9E3779B97F4A7C15 & _MASK64)
        key *= np.uint64(0xBF58476D1CE4E5B9)
        out[:, b] = key
    return out


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


def _h64(s: str) -> int:
    import hashlib
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def _sig16(sig: np.ndarray) -> np.ndarray:
    """16 bits of each MinHash bin: a multiplicative hash of its whole 32-bit value (the densification
    distance included), so two bins agree by chance once in 65,536 while a signature takes 256 bytes
    instead of 1 KiB; the estimates are unchanged but for that."""
    import numpy as np
    v = (sig & np.uint64(0xFFFFFFFF)) * np.uint64(0x9E3779B1)
    return ((v & np.uint64(0xFFFFFFFF)) >> np.uint64(16)).astype(np.uint16)


class _Spill:
    """The sampled shingles of each chunk of sections, (row, hash) sorted by hash: in memory, or in
    ``.npy`` files under ``folder`` read back memory-mapped (a national corpus has ~10⁸ of them)."""

    def __init__(self, folder=None):
        self.folder, self.parts, self.total = folder, [], 0

    def add(self, rows, h) -> None:
        import numpy as np
        o = np.argsort(h, kind="stable")
        rows, h = rows[o].astype(np.uint32), h[o]
        self.total += len(h)
        if self.folder is None:
            self.parts.append((rows, h))
            return
        k = len(self.parts)
        np.save(f"{self.folder}/{k}.rows.npy", rows)
        np.save(f"{self.folder}/{k}.h.npy", h)
        self.parts.append(k)

    def __iter__(self):
        import numpy as np
        for part in self.parts:
            if self.folder is None:
                yield part
            else:
                yield (np.load(f"{self.folder}/{part}.rows.npy", mmap_mode="r"),
                       np.load(f"{self.folder}/{part}.h.npy", mmap_mode="r"))


_DF_PAIRS = 4_000_000           # (shingle, agency) pairs counted at once: the hash space is cut to fit
_TEXT_BLOCK = 8_000_000         # characters of section text read back at once to verify candidates


def _choose_rows(sig: np.ndarray, bins: int, bands: int, rows: int, max_bucket: int, budget: int) -> tuple:
    """(band keys, bands, rows): the given banding, or — when its buckets would make more than
    ``budget`` pairs (random agreement grows with the square of the documents) — the next with more
    rows per band (and so fewer bands) whose buckets make at most ``budget``. The count is exact: the
    band keys are sorted and the pairs of each bucket counted, before any pair is made."""
    import numpy as np
    product = bands * rows
    r = rows
    while True:
        b = max(1, product // r)
        keys = _band_keys(sig, b, r)
        s = np.sort(keys, axis=0)
        made = 0
        for col in range(b):
            k = s[:, col]
            bounds = np.flatnonzero(k[1:] != k[:-1]) + 1
            sizes = np.diff(np.concatenate([[0], bounds, [len(k)]]))
            sizes = sizes[(sizes > 1) & (sizes <= max_bucket)]
            made += int((sizes * (sizes - 1) // 2).sum())
        del s
        if made <= budget or r >= bins // 4:
            return keys, b, r
        r += 1


def _lsh_sig(sig: np.ndarray, members: np.ndarray, sections: np.ndarray, p: CopyParams, bands: int, rows: int,
             min_est: float, cap: int | None, auto: bool) -> tuple:
    """Candidate pairs (ranks, i < j) among ``members`` (rows of ``sig``, a 16-bit signature per rank):
    banding within each section number, then only the pairs whose signatures agree on at least
    ``min_est`` of the bins, at most ``cap`` of them (the closest estimates). ``auto``: more rows per band
    where a section has so many documents that the given banding would exceed the pair budget.
    Returns (pairs, LSH candidates, skipped buckets, pairs skipped by the cap, {section: (bands, rows)})."""
    import numpy as np
    chosen: dict = {}
    if len(members) < 2:
        return np.zeros((0, 2), np.int64), 0, 0, 0, chosen
    budget = p.pair_budget if cap is None else min(8 * cap, p.pair_budget)
    cand, skipped = [], 0
    secs = sections[members]
    for sec in np.unique(secs):
        rows_ = members[secs == sec]
        if len(rows_) < 2:
            continue
        part = sig[rows_]
        if auto and budget is not None:
            keys, b, r = _choose_rows(part, p.bins, bands, rows, p.max_bucket, budget)
        else:
            keys, b, r = _band_keys(part, bands, rows), bands, rows
        chosen[int(sec)] = (b, r)
        del part
        # The pairs of a bucket grow with its square: at most the budget of them per section, whatever
        # the corpus size; what is left is counted as skipped.
        pairs, sk = _candidate_pairs(keys, p.max_bucket, budget)
        del keys
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
    return cand, n_cand, skipped, capped, chosen


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
    holds counts and timings of each stage. :func:`find_copies_parquet` does the same from a sections
    Parquet file without holding the texts.
    """
    res = _copies_frame(docs, _params(params, overrides))
    return _public(res)


def _params(params, overrides) -> CopyParams:
    if isinstance(params, dict):
        params = CopyParams(**params)
    p = params or CopyParams()
    if overrides:
        p = CopyParams(**{**asdict(p), **overrides})
    if p.bands * p.rows > p.bins or p.near_bands * p.near_rows > p.bins or p.bins & (p.bins - 1):
        raise ValueError("bins must be a power of two and bands × rows ≤ bins")
    return p


def _public(res):
    stats = res.attrs.get("stats", {})
    res = res.drop(columns=["evidence_a", "evidence_b"])
    res.attrs["stats"] = stats
    return res


def _copies_frame(docs, p: CopyParams):
    import numpy as np
    docs = docs[docs["text"].notna()].reset_index(drop=True)
    meta = docs.drop_duplicates("report_id")[["report_id", "source", "agency", "agency_key", "year"]]
    texts = docs["text"].tolist()
    rid = docs["report_id"].to_numpy(np.int64)
    sec = docs["section"].to_numpy(np.int64)
    off = docs["offset"].to_numpy(np.int64)

    def chunks():
        for lo in range(0, len(docs), 4096):
            yield texts[lo:lo + 4096], rid[lo:lo + 4096], sec[lo:lo + 4096], off[lo:lo + 4096]

    def fetch(rows):
        return [texts[int(r)] for r in rows]
    return _copies(chunks(), meta, fetch, p)


def find_copies_parquet(path, reports: pd.DataFrame, params: CopyParams | None = None, spill=None,
                        **overrides) -> pd.DataFrame:
    """:func:`find_copies` over the sections Parquet file of a streamed run (sections 一, 五, 六), read
    row group by row group: what stays in memory is a few numbers and a 256-byte signature per distinct
    section; the shingles go to ``spill`` (a folder; a temporary one by default) and the texts are read
    back only for the pairs to verify. ``reports``: report_id, source, agency, agency_key, year."""
    import tempfile

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    p = _params(params, overrides)
    f = pq.ParquetFile(path)
    where: list = []            # per row group: positions of the rows compared
    meta = reports[["report_id", "source", "agency", "agency_key", "year"]]

    def chunks():
        for g in range(f.num_row_groups):
            t = f.read_row_group(g, columns=["report_id", "number", "text", "body_start"])
            keep = pc.and_(pc.is_in(t.column("number"), value_set=pa.array(TEXT_SECTIONS, t.schema.field("number").type)),
                           pc.is_valid(t.column("text")))
            pos = np.flatnonzero(keep.to_numpy(zero_copy_only=False))
            where.append(pos)
            t = t.take(pa.array(pos))
            yield (t.column("text").to_pylist(), t.column("report_id").to_numpy().astype(np.int64),
                   t.column("number").to_numpy().astype(np.int64),
                   t.column("body_start").to_numpy(zero_copy_only=False).astype(np.int64))

    def fetch(rows):
        rows = np.asarray(rows, dtype=np.int64)
        starts = np.cumsum([0] + [len(w) for w in where])
        g_of = np.searchsorted(starts, rows, side="right") - 1
        out: list = [None] * len(rows)
        for g in np.unique(g_of):
            at = np.flatnonzero(g_of == g)
            col = f.read_row_group(int(g), columns=["text"]).column(0)
            got = col.take(pa.array(where[g][rows[at] - starts[g]])).to_pylist()
            for i, t in zip(at, got):
                out[i] = t
        return out
    with tempfile.TemporaryDirectory(prefix="rk-copies-", dir=spill) as tmp:
        return _copies(chunks(), meta, fetch, p, spill=tmp)


def _copies(chunks, meta, fetch, p: CopyParams, spill=None):
    """The method of the module docstring over ``chunks`` of (texts, report ids, section numbers, body
    offsets); ``fetch(rows)`` gives back the texts of rows (numbered in chunk order) to verify; ``meta``
    has one row per report. Returns COPY_COLUMNS and the evidence text of each side."""
    import numpy as np
    import pandas as pd
    t0 = time.perf_counter()
    stats: dict = {}
    # Pass 1, one chunk at a time: per section a content hash, lengths, the hash of its text without
    # numbers (the "identical but for the years" key) and its sampled shingles (spilled).
    spill_ = _Spill(spill)
    cols: dict = {k: [] for k in ("rid", "sec", "off", "th", "nlen", "ek", "tlen")}
    base = 0
    for texts, rid, sec, off in chunks:
        n = len(texts)
        secl = sec.tolist()
        cols["th"].append(np.fromiter((_h64(f"{s}\0{t}") for s, t in zip(secl, texts)), np.uint64, n))
        cols["tlen"].append(np.fromiter(map(len, texts), np.int64, n))
        ek = np.zeros(n, np.uint64)
        for i, t in enumerate(texts):
            e = normalise(t, numbers=False)
            if len(e) >= p.min_exact:
                ek[i] = _h64(f"{secl[i]}\0{e}") | 1
        cols["ek"].append(ek)
        norm = [normalise(t) for t in texts]
        cols["nlen"].append(np.fromiter(map(len, norm), np.int64, n))
        lo, size = 0, 0
        for j, t in enumerate(norm):            # shingled in batches, to bound the temporary arrays
            size += len(t)
            if size > 1_000_000 or j == n - 1:
                d, h = shingle_hashes(norm[lo:j + 1], p.shingle, p.sample)
                if len(h):
                    spill_.add(d.astype(np.int64) + base + lo, h)
                lo, size = j + 1, 0
        del norm
        cols["rid"].append(rid)
        cols["sec"].append(sec)
        cols["off"].append(off)
        base += n
    a = {k: (np.concatenate(v) if v else np.zeros(0, np.uint64 if k in ("th", "ek") else np.int64))
         for k, v in cols.items()}
    del cols
    n_all = base
    m = meta.set_index("report_id")
    at = m.index.get_indexer(a["rid"])
    year_f = m["year"].astype("Float64").fillna(-1).to_numpy(np.float64)[at] if n_all else np.zeros(0)
    # Distinct texts, in (year, report) order: the earliest member of each stands for its group.
    order = np.lexsort((np.arange(n_all), a["rid"], year_f))
    _, first, inv = np.unique(a["th"][order], return_index=True, return_inverse=True)
    inv = inv.ravel()
    n_docs = len(first)
    rank_of_group = np.empty(n_docs, np.int64)
    rank_of_group[np.argsort(first, kind="stable")] = np.arange(n_docs)
    row_rank = np.empty(n_all, np.int64)
    row_rank[order] = rank_of_group[inv]
    rep_rows = order[np.sort(first)]
    is_rep = np.zeros(n_all, bool)
    is_rep[rep_rows] = True
    r = {k: v[rep_rows] for k, v in a.items() if k != "th"}
    r["year"] = year_f[rep_rows]
    r["at"] = at[rep_rows]
    stats.update(docs=n_all, distinct=n_docs)
    # Whole sections identical but for the years: paired directly, whatever their wording.
    exact = []
    idx = np.flatnonzero(r["ek"])
    if len(idx):
        o = idx[np.argsort(r["ek"][idx], kind="stable")]
        k = r["ek"][o]
        bounds = np.concatenate([[0], np.flatnonzero(k[1:] != k[:-1]) + 1, [len(o)]])
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            if hi - lo < 2:
                continue
            members = o[lo:hi].tolist()
            if len(members) > 50:               # a mass copy: everyone against the first, not all pairs
                exact += [(members[0], j) for j in members[1:]]
            else:
                exact += [(x, y) for q, x in enumerate(members) for y in members[q + 1:]]
    # Boilerplate: document frequency over agencies, one slice of the hash space at a time.
    akey = m["agency_key"].astype(object).to_numpy()[r["at"]] if n_docs else np.zeros(0, object)
    keys = [k if k is not None and not pd.isna(k) else f"#report:{x}" for k, x in zip(akey, r["rid"].tolist())]
    units, uniques = pd.factorize(pd.Series(keys, dtype=object))
    units = units.astype(np.uint64)
    n_units = len(uniques)
    limit = max(p.min_df, math.ceil(p.df_share * n_units))
    t1 = time.perf_counter()
    n_slices = max(1, math.ceil(spill_.total / _DF_PAIRS))
    edges = [int(x) for x in np.linspace(0, 1 << 32, n_slices + 1)]
    boiler_parts, n_shingles = [_format_boilerplate(p.shingle, p.sample)], 0
    for lo, hi in zip(edges[:-1], edges[1:]):
        pairs = []
        for rows, h in spill_:
            i, j = np.searchsorted(h, [lo, hi]) if hi < (1 << 32) else (np.searchsorted(h, lo), len(h))
            rr, hh = np.asarray(rows[i:j]), np.asarray(h[i:j])
            keep = is_rep[rr]
            n_shingles += int(keep.sum())
            pairs.append((hh[keep].astype(np.uint64) << np.uint64(32)) | units[row_rank[rr[keep]]])
        if pairs:
            pair = _unique(np.concatenate(pairs))
            del pairs
            vals, counts = _unique((pair >> np.uint64(32)).astype(np.uint32), counts=True)
            boiler_parts.append(vals[counts > limit])
            del pair, vals, counts
    boiler = _unique(np.concatenate(boiler_parts)).astype(np.uint32)
    stats.update(shingles=n_shingles, agencies=n_units, boilerplate_limit=limit,
                 boilerplate_shingles=int(len(boiler)))
    # Signatures, one chunk at a time: all shingles of long sections (near-identical wholes), the
    # shingles left after the boilerplate of every section (the Jaccard of their own wording).
    near_r = np.flatnonzero(r["nlen"] >= p.near_min_chars)
    near_pos = np.full(n_docs, -1, np.int64)
    near_pos[near_r] = np.arange(len(near_r))
    near_sig = np.zeros((len(near_r), p.bins), np.uint16)
    sig = np.zeros((n_docs, p.bins), np.uint16)
    per_doc = np.zeros(n_docs, np.int64)
    for rows, h in spill_:
        rows, h = np.asarray(rows), np.asarray(h)
        keep = is_rep[rows]
        rk, hh = row_rank[rows[keep]], h[keep]
        npos = near_pos[rk]
        s = npos >= 0
        if s.any():
            u, loc = np.unique(npos[s], return_inverse=True)
            near_sig[u] = _sig16(_signatures(loc.ravel(), hh[s], len(u), p.bins))
        own = ~np.isin(hh, boiler)
        rk, hh = rk[own], hh[own]
        if len(rk):
            u, loc, cnt = np.unique(rk, return_inverse=True, return_counts=True)
            per_doc[u] = cnt
            sig[u] = _sig16(_signatures(loc.ravel(), hh, len(u), p.bins))
    stats["kept_shingles"] = int(per_doc.sum())
    eligible = np.flatnonzero(per_doc >= p.min_shingles)
    stats["eligible"] = int(len(eligible))
    stats["too_short"] = int(n_docs - len(eligible))
    t2 = time.perf_counter()
    near, n_near, _, near_capped, near_chosen = _lsh_sig(
        near_sig, np.arange(len(near_r)), r["sec"][near_r], p, p.near_bands, p.near_rows, p.near_jaccard,
        p.max_candidates * max(len(near_r), 1), p.auto_bands)
    near = near_r[near]
    del near_sig
    # MinHash + LSH on the shingles left, within each section number; the signature estimate keeps the
    # pairs near the threshold (the margin is several standard errors of a 128-bin estimate).
    cand, n_cand, skipped, capped, chosen = _lsh_sig(
        sig, eligible, r["sec"], p, p.bands, p.rows, p.threshold - 0.2,
        p.max_candidates * max(len(eligible), 1), p.auto_bands)
    del sig
    stats.update(candidates=int(n_cand), skipped_buckets=skipped, estimated_close=int(len(cand)),
                 skipped_candidates=int(capped + near_capped), identical_pairs=int(len(exact)),
                 near_candidates=int(n_near), near_close=int(len(near)),
                 banding={str(s): f"{b}×{rw}" for s, (b, rw) in chosen.items()},
                 near_banding={str(s): f"{b}×{rw}" for s, (b, rw) in near_chosen.items()})
    exact_set = set(map(tuple, np.asarray(exact, np.int64).reshape(-1, 2).tolist()))
    near_set = set(map(tuple, near.tolist()))
    todo = sorted(set(map(tuple, cand.tolist())) | near_set | exact_set)
    del cand, near
    t3 = time.perf_counter()
    # Exact verification, a block of pairs at a time: their texts read back, shingled again.
    src = m["source"].astype(object).to_numpy()
    agency = m["agency"].astype(object).to_numpy()
    year = m["year"].astype(object).to_numpy()

    def who(k: int, rows_of=None) -> dict:
        i = int(r["at"][k] if rows_of is None else at[rows_of])
        ak = akey[k] if rows_of is None else m["agency_key"].iloc[i]
        y = year[i]
        return {"report_id": int(r["rid"][k] if rows_of is None else a["rid"][rows_of]), "source": str(src[i]),
                "agency": agency[i], "agency_key": ak, "year": None if pd.isna(y) else int(y),
                "section": int(r["sec"][k] if rows_of is None else a["sec"][rows_of])}
    out = []
    for block in _blocks(todo, r["tlen"]):
        need = sorted({x for pair in block for x in pair})
        texts = dict(zip(need, fetch(rep_rows[need])))
        own_h = {}
        for k in need:
            _, hk = shingle_hashes([normalise(texts[k])], p.shingle, p.sample)
            own_h[k] = hk[~np.isin(hk, boiler)]
        for x, y in block:
            ha, hb = own_h[x], own_h[y]
            inter = len(np.intersect1d(ha, hb, assume_unique=True))
            union = len(ha) + len(hb) - inter
            jac = inter / union if union else 1.0
            whole = (x, y) in exact_set
            if jac < p.threshold and not whole and (x, y) not in near_set:
                continue
            if (r["year"][y], r["rid"][y]) < (r["year"][x], r["rid"][x]):
                x, y = y, x
            ta, tb = texts[x], texts[y]
            oa, ob = int(r["off"][x]), int(r["off"][y])
            cmp = compare_texts(ta, tb, oa, ob, p.min_span, p.max_tokens)
            close = cmp["ratio"] >= p.whole_ratio
            # Sections with little wording of their own share it by chance more easily (two template
            # paragraphs with other fillers): they must also match as a whole.
            own = jac >= p.threshold and (min(len(ha), len(hb)) >= p.small_set or close)
            if not (whole or own or ((min(x, y), max(x, y)) in near_set and close)):
                continue
            out.append(_pair_row(who(x), who(y), jac,
                                 inter / min(len(ha), len(hb)) if min(len(ha), len(hb)) else 1.0, cmp,
                                 _evidence(ta, oa, cmp["spans_a"]), _evidence(tb, ob, cmp["spans_b"])))
        del texts, own_h
    t4 = time.perf_counter()
    stats.update(copies=len(out), seconds_shingle=round(t1 - t0, 3), seconds_boilerplate=round(t2 - t1, 3),
                 seconds_lsh=round(t3 - t2, 3), seconds_verify=round(t4 - t3, 3))
    # Every other member of a group of identical texts is paired with the group's first; the copied
    # spans are those of the first (tokenised once per group), shifted to each member's offset.
    dup_pos = np.flatnonzero(~is_rep[order])
    grp_rank = rank_of_group[inv[dup_pos]]
    long_enough = r["ek"][grp_rank] != 0
    dup_pos, grp_rank = dup_pos[long_enough], grp_rank[long_enough]
    n_ident = 0
    for block in _blocks([(int(g),) for g in np.unique(grp_rank)], r["tlen"]):
        need = [g for (g,) in block]
        same = {g: _identical(t, 0, 0, p) | {"text": t} for g, t in zip(need, fetch(rep_rows[need]))}
        sel = np.isin(grp_rank, need)
        for j, g in zip(dup_pos[sel].tolist(), grp_rank[sel].tolist()):
            row = int(order[j])
            s = same[g]
            oa, ob = int(r["off"][g]), int(a["off"][row])
            sa = [[oa + x, oa + y] for x, y in s["spans_a"]]
            sb = [[ob + x, ob + y] for x, y in s["spans_b"]]
            cmp = {**{k: v for k, v in s.items() if k != "text"}, "spans_a": sa, "spans_b": sb}
            out.append(_pair_row(who(g), who(None, row), 1.0, 1.0, cmp, _evidence(s["text"], oa, sa),
                                 _evidence(s["text"], ob, sb)))
            n_ident += 1
    stats["identical_in_groups"] = n_ident
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    res = pd.DataFrame(out, columns=COPY_COLUMNS + ["evidence_a", "evidence_b"])
    if len(res):
        res = res.sort_values(["section", "report_b", "report_a"]).reset_index(drop=True)
    for c in ("year_a", "year_b"):
        res[c] = res[c].astype("Int64")
    res.attrs["stats"] = stats
    return res


def _blocks(items: list[tuple], lengths: np.ndarray):
    """``items`` (tuples of ranks) in blocks whose texts, counted once, stay under _TEXT_BLOCK characters."""
    block, seen, size = [], set(), 0
    for it in items:
        new = [x for x in it if x not in seen]
        add = int(sum(int(lengths[x]) for x in new))
        if block and size + add > _TEXT_BLOCK:
            yield block
            block, seen, size = [], set(), 0
            new, add = list(it), int(sum(int(lengths[x]) for x in it))
        block.append(it)
        seen.update(new)
        size += add
    if block:
        yield block


def _evidence(text: str, offset: int, spans) -> str | None:
    """The first copied span's text (80 characters at most), the finding's evidence."""
    return text[spans[0][0] - offset:spans[0][1] - offset][:80] if len(spans) else None


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


def _pair_row(ra: dict, rb: dict, jac: float, containment: float, cmp: dict, ev_a=None, ev_b=None) -> dict:
    import pandas as pd
    same = ra["agency_key"] is not None and not pd.isna(ra["agency_key"]) and ra["agency_key"] == rb["agency_key"]
    return {"section": int(ra["section"]), "kind": "same_agency" if same else "cross_agency",
            "report_a": int(ra["report_id"]), "source_a": ra["source"], "agency_a": ra["agency"],
            "year_a": ra["year"], "report_b": int(rb["report_id"]), "source_b": rb["source"],
            "agency_b": rb["agency"], "year_b": rb["year"], "jaccard": round(jac, 4),
            "containment": round(containment, 4), **cmp, "evidence_a": ev_a, "evidence_b": ev_b}


def detect_copies(corpus, params=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copy detection over the corpus's sections 一, 五 and 六: (copies table, ``copied_section``
    findings). See :func:`find_copies` for the method."""
    import pandas as pd
    secs = corpus.sections
    secs = secs[secs["text"].notna() & secs["number"].isin(TEXT_SECTIONS)]
    if secs.empty:
        return pd.DataFrame(columns=COPY_COLUMNS), pd.DataFrame(columns=["source"] + FINDING_COLUMNS)
    meta = corpus.reports[["report_id", "agency", "agency_key", "year"]]
    docs = secs[["report_id", "source", "number", "text", "body_start"]].merge(meta, on="report_id")
    docs = docs.rename(columns={"number": "section", "body_start": "offset"})
    docs["source"] = docs["source"].astype(str)
    res = _copies_frame(docs, _params(params, {}))
    return _public(res), copy_findings(res)


def detect_copies_parquet(sections_path, reports: pd.DataFrame, params=None,
                          spill=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`detect_copies` from the sections file of a streamed run (see :func:`find_copies_parquet`)."""
    reports = reports.assign(source=reports["source"].astype(str))
    res = find_copies_parquet(sections_path, reports, params, spill=spill)
    return _public(res), copy_findings(res)


def copy_findings(res: pd.DataFrame) -> pd.DataFrame:
    """``copied_section`` findings of the copied pairs (with the evidence columns of :func:`_copies`)."""
    import pandas as pd
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
        targets = [(r.source_b, r.spans_b, r.evidence_b, r.source_a, r.agency_a, r.year_a)]
        # No earlier one (same year, or a year unknown): both are named.
        earlier = pd.notna(r.year_a) and pd.notna(r.year_b) and r.year_a < r.year_b
        if not earlier and r.kind == "cross_agency":
            targets.append((r.source_a, r.spans_a, r.evidence_a, r.source_b, r.agency_b, r.year_b))
        for src, spans, evidence, other, other_agency, other_year in targets:
            start = min(s for s, _ in spans) if len(spans) else None
            end = max(e for _, e in spans) if len(spans) else None
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
    return pd.DataFrame(out, columns=["source"] + FINDING_COLUMNS)
