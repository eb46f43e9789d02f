"""Many reports at once: a folder (or a list of paths) loaded into tidy pandas tables, checked within and
across reports, with copy detection (雷同).

>>> from reportkit.corpus import load_corpus
>>> c = load_corpus("data/corpus")                       # doctest: +SKIP
>>> c.reports[["source", "agency", "year", "level"]]     # doctest: +SKIP

Tables of a :class:`Corpus` (one row per …):

* ``reports``   report loaded: source, file, agency, year, level (+ how each was decided), title, format,
  sections present / empty, tables found, cell counts and completeness, number of findings;
* ``cells``     cell the format requires, per report (long form): table, row_id, column_id, row, column,
  value (NA unless a number was read), state (``value``/``blank``/``unreadable``/``missing``), raw,
  start, end;
* ``facts``     number stated in prose (value, unit, text, section, subject, start, end);
* ``findings``  finding: the columns of :func:`reportkit.check.check` plus ``source``; single-report
  findings come from ``check`` (empty when that module is not installed), cross-report ones from
  :func:`cross_year_findings` and copy detection (see :func:`rules`);
* ``sections``  section per report: span, heading, present/empty, and the body text of sections 一, 五
  and 六 (the prose copy detection compares; the others' text is left in the files);
* ``copies``    copied section pair (see :mod:`reportkit.corpus.copies`);
* ``errors``    file that could not be used: source, file, error (exception type), message (a
  ``ReportError``'s message as is), stage (``load`` or ``check``).

Loading runs in a process pool (chunks of files per task; workers send back compact arrays and tuples,
never Report objects), shows a tqdm bar on stderr when stderr is a terminal (or when asked), and never
stops on a bad file: every exception becomes a row of ``errors``.

Agency, year and level come from each report's title and text (``Report.agency``, ``Report.year``);
an override file (CSV, see :func:`read_overrides` and ``data/agency-overrides.csv``) corrects what the
text gets wrong. Level is one of ``department``, ``town``, ``county``, ``city``, ``province`` or NA when
the name cannot tell (see :func:`level_of`).

Parquet: :meth:`Corpus.to_parquet` writes a *folder* with one file per table (``reports.parquet``,
``cells.parquet``, …, plus ``corpus.json`` with the run's counts), or, for a name ending in ``.parquet``,
that file (the reports table) with the other tables beside it (``x.cells.parquet`` …); every file reads
with ``pd.read_parquet`` or DuckDB. :meth:`Corpus.read_parquet` reads either back.

Scale: :func:`write_corpus` streams a run straight to Parquet in bounded memory (batches of reports
written as they arrive; cross-year checks and copy detection read the files back), with ``resume`` for
an interrupted run. Sections whose text is exactly the same are compared once (grouped by content) and
LSH candidate pairs are capped, so a corpus full of copies stays linear; copy detection reads the
sections file row group by row group (:func:`detect_copies_parquet`), holding a 256-byte signature per
distinct section, never the texts. A late stage that fails (cross-year checks, copy detection) keeps
what was loaded and is listed in ``errors``; each file has a time limit.
"""

from .agencies import LEVELS, agency_key, level_of, read_overrides
from .copies import detect_copies, detect_copies_parquet, find_copies, find_copies_parquet
from .crossyear import cross_year_findings
from .findings import FINDING_COLUMNS, rules
from .pool import REPORT_SUFFIXES, TABLES, Corpus, discover, load_corpus
from .stream import write_corpus

__all__ = ["load_corpus", "write_corpus", "Corpus", "discover", "rules", "cross_year_findings", "detect_copies", "find_copies",
           "detect_copies_parquet", "find_copies_parquet",
           "level_of", "agency_key", "read_overrides", "LEVELS", "TABLES", "FINDING_COLUMNS", "REPORT_SUFFIXES"]
