"""NFKC folding that remembers where every folded character came from.

Matchers work on folded text (full-width brackets and colons become ASCII, U+3000 a space) but every
span reportkit reports must point into the original text. ``Folded.orig(i)`` maps an offset in the
folded text back to the original.
"""

from __future__ import annotations

import unicodedata
from array import array


_ONE_TO_ONE = {0x3000: " ", **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}
_BLOCK = 128


class Folded:
    __slots__ = ("text", "_map", "_n")

    def __init__(self, original: str):
        # Fast path: full-width ASCII forms and U+3000 fold one-to-one, so a translate table keeps
        # offsets; only text with other compatibility characters pays for the per-character fold.
        quick = original.translate(_ONE_TO_ONE)
        if quick.isascii() or unicodedata.is_normalized("NFKC", quick):
            self.text = quick
            self._map = None
        else:
            # Characters are folded one by one, but only in blocks that hold something to fold: a block
            # that is already NFKC keeps its offsets (a 10 MB page with one U+2002 in every screen of
            # text would otherwise pay for ten million single-character folds).
            parts: list[str] = []
            mapping = array("l")
            for b in range(0, len(quick), _BLOCK):
                block = quick[b:b + _BLOCK]
                if unicodedata.is_normalized("NFKC", block):
                    parts.append(block)
                    mapping.extend(range(b, b + len(block)))
                    continue
                for i in range(b, b + len(block)):
                    ch = original[i]
                    f = unicodedata.normalize("NFKC", ch) if ord(ch) >= 0x80 else ch
                    parts.append(f)
                    mapping.extend([i] * len(f))
            self.text = "".join(parts)
            self._map = mapping
        self._n = len(original)

    def orig(self, i: int) -> int:
        """Original offset of folded offset ``i`` (``len(folded)`` maps to ``len(original)``)."""
        if self._map is None:
            return i
        if i >= len(self._map):
            return self._n
        return self._map[i]

    def orig_end(self, i: int) -> int:
        """Original end offset for a folded span ending at ``i`` (exclusive)."""
        if self._map is None or i == 0:
            return i
        if i >= len(self._map):
            return self._n
        return self._map[i - 1] + 1
