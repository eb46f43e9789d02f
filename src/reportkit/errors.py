"""Typed errors for input reportkit cannot use. Each names the file and, where known, the place.

Everything reportkit raises on bad input is a :class:`ReportError`, so a caller (or a corpus run) can
catch one type and go on with the next file.
"""

from __future__ import annotations


class ReportError(Exception):
    """Input that cannot be turned into a report. ``source`` is the file, ``where`` the place in it."""

    def __init__(self, message: str, source: str | None = None, where: str | None = None):
        self.message = message
        self.source = source
        self.where = where
        parts = [p for p in (source, where) if p]
        super().__init__(f"{': '.join(parts)}: {message}" if parts else message)


class EmptyReportError(ReportError):
    """The file holds no text at all (or only whitespace)."""


class EncodingError(ReportError):
    """The bytes are not text in any encoding reports are published in (UTF-8, GB18030)."""


class NotAReportError(ReportError):
    """The text decodes but shows none of the six sections of an annual report."""


class StructuredDataError(ReportError):
    """A YAML/JSON report file that does not follow reportkit's structured form."""


class TooLargeError(ReportError):
    """The input is larger than the configured limit (see ``reportkit.load(..., max_bytes=)``)."""
