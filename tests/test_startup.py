"""A one-report command starts without paying for what it does not use (issue 14 part 1): importing the
package and its command line compiles none of its own patterns, reads no data file and imports neither
pandas nor PyYAML nor the heavy standard modules a write needs. Speed itself is measured by
``benchmarks/bench_startup.py``, never asserted here."""

from __future__ import annotations

import json
import marshal
import pickle
import re
import subprocess
import sys

from reportkit import format, paths, rx


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints a JSON object as its last line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=paths.ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


_AFTER_IMPORT = """
import json, sys
import reportkit.cli
from reportkit import format, rx
print(json.dumps({"modules": sorted(sys.modules), "spec_read": format.spec.cache_info().currsize,
                  "compiled": rx.compiled.cache_info().currsize}))
"""


def test_importing_the_command_line_reads_no_data_and_compiles_no_pattern():
    got = _fresh(_AFTER_IMPORT)
    assert got["spec_read"] == 0
    assert got["compiled"] == 0


# Heavy third-party libraries, and standard modules only a write or a corpus run needs. (shutil is not
# listed: zipfile imports it, and the workbook reader imports zipfile at its top.)
HEAVY = {"pandas", "numpy", "yaml", "pyarrow", "asyncio", "tqdm", "nbformat", "matplotlib", "lxml",
         "docx", "openpyxl", "pdfplumber", "tempfile", "importlib.resources", "importlib.metadata"}


def test_importing_the_command_line_leaves_heavy_modules_unimported():
    assert HEAVY & set(_fresh(_AFTER_IMPORT)["modules"]) == set()


def test_parse_of_a_real_report_imports_no_pandas():
    code = f"""
import contextlib, io, json, sys
from reportkit.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["parse", {str(paths.CORPUS / 'complete' / '103.txt')!r}, "--json"])
print(json.dumps({{"status": status, "modules": sorted(sys.modules)}}))
"""
    got = _fresh(code)
    assert got["status"] == 0
    assert not {"pandas", "numpy", "pyarrow"} & set(got["modules"])


def test_a_lazy_pattern_answers_like_the_compiled_one():
    lazy = rx.lazy(r"(\d+)\s*(件|条)")
    real = re.compile(r"(\d+)\s*(件|条)")
    text = "收到申请12件，发布信息 300 条"
    assert [m.groups() for m in lazy.finditer(text)] == [m.groups() for m in real.finditer(text)]
    assert lazy.sub("#", text) == real.sub("#", text)
    assert lazy.search(text, 8).span() == real.search(text, 8).span()
    assert lazy.pattern == real.pattern and lazy.groups == 2 and lazy.flags == real.flags


def test_a_lazy_pattern_compiles_once_at_first_use():
    source = r"本年度(?:新收|受理)\d+件"
    lazy = rx.lazy(source)
    assert "search" not in vars(lazy)           # nothing compiled by declaring it
    lazy.search("本年度新收3件")
    assert lazy.compiled is rx.compiled(source) is lazy.compiled
    assert vars(lazy)["search"] == rx.compiled(source).search


def test_a_lazy_pattern_keeps_its_flags_and_survives_pickling():
    lazy = rx.lazy(r"charset=(\w+)", re.I)
    assert lazy.search("CHARSET=GBK").group(1) == "GBK"
    again = pickle.loads(pickle.dumps(lazy))
    assert again.search("Charset=utf-8").group(1) == "utf"


def _cache_of(folder, name="format.yaml"):
    return [p for p in folder.iterdir() if p.name.startswith(name + ".")]


def test_the_parsed_format_is_cached_like_bytecode_and_read_back_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    parsed = format.read_data("format.yaml", cache_dir=tmp_path)
    assert parsed["sections"][0]["number"] == 1
    (cache,) = _cache_of(tmp_path)
    assert format.read_data("format.yaml", cache_dir=tmp_path) == parsed      # from the cache


def test_a_stale_or_damaged_format_cache_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    parsed = format.read_data("format.yaml", cache_dir=tmp_path)
    (cache,) = _cache_of(tmp_path)
    good = cache.read_bytes()
    key, _, body = good.partition(b"\n")
    # Another file's cache (the key is the file's size and checksum), then a cut-off one.
    for blob in (b"1:2\n" + marshal.dumps({"sections": []}), key + b"\n" + body[:40]):
        cache.write_bytes(blob)
        assert format.read_data("format.yaml", cache_dir=tmp_path) == parsed
        assert cache.read_bytes() == good


def test_no_format_cache_is_written_when_python_writes_no_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert format.read_data("rules.yaml", cache_dir=tmp_path)["rules"]
    assert list(tmp_path.iterdir()) == []
