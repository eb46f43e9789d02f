"""The command line as a terminal user reads it: Chinese columns aligned, the format version named."""

from __future__ import annotations

import json
import re
import unicodedata

from reportkit import paths
from reportkit.cli import main
from reportkit.load import load
from reportkit.reconstruct import reconstruct


def test_cli_parse_says_the_format_reconstruct_uses_and_lines_up_chinese_columns(capsys):
    assert main(["parse", str(paths.SEED_TEXT)]) == 0
    out = capsys.readouterr().out
    assert not out.startswith("<") and "format=None" not in out
    assert "格式 2021" in out.splitlines()[1]
    cols = lambda s: sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
    rows = [line for line in out.splitlines() if re.match(r"  [一二三四五六]、", line)]
    assert len(rows) == 6
    # The state column starts at the same terminal column on every row, whatever the title's length.
    starts = {cols(re.match(r"  \S+\s+", line).group()) for line in rows}
    assert len(starts) == 1
    assert main(["parse", "--json", str(paths.SEED_TEXT)]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == reconstruct(load(paths.SEED_TEXT)).version

