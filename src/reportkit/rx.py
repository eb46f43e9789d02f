"""Regular expressions compiled on first use, once per process.

Compiling the package's few hundred patterns (most with CJK character classes, which ``re`` optimises
slowly) cost a one-report command more time at import than reading the report did. A module declares
its patterns at the top as before, ``_WORD = rx.lazy(r"…")``, and uses them as compiled patterns
(``_WORD.search(text)``); the first use compiles. A pattern built at run time goes through
:func:`compiled`, which compiles each (pattern, flags) once.

>>> from reportkit import rx
>>> YEAR = rx.lazy(r"(\\d{4})年")
>>> YEAR.search("2021年度").group(1)
'2021'
"""

from __future__ import annotations

import functools
import re

__all__ = ["compiled", "lazy", "LazyPattern"]


@functools.lru_cache(maxsize=None)
def compiled(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, once per process (``re``'s own cache holds only 512 and is
    cleared when full)."""
    return re.compile(pattern, flags)


# What a compiled pattern offers; bound onto the proxy at first use, so later look-ups are plain
# attribute reads, as fast as on the compiled pattern itself.
_API = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
        "groups", "groupindex", "flags")


class LazyPattern:
    """A regular expression compiled on first use. ``pattern`` is its source (to compose a larger
    expression without compiling this one); everything else is the compiled :class:`re.Pattern`'s."""

    __slots__ = ("pattern", "_flags", "__dict__")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str):
        # Called only for what is not set yet: the first use of the pattern.
        if name.startswith("__"):
            raise AttributeError(name)
        compiled_ = self.compiled
        for attr in _API:
            setattr(self, attr, getattr(compiled_, attr))
        return getattr(compiled_, name)

    @property
    def compiled(self) -> re.Pattern:
        """The compiled pattern (for an API that wants a real :class:`re.Pattern`)."""
        return compiled(self.pattern, self._flags)

    def __repr__(self) -> str:
        return f"rx.lazy({self.pattern!r}{f', {self._flags}' if self._flags else ''})"

    def __reduce__(self):
        return LazyPattern, (self.pattern, self._flags)


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    """``pattern`` as a regular expression compiled at its first use (see the module's docstring)."""
    return LazyPattern(pattern, flags)
