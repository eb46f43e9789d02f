"""Shared fixtures: the seed, the real corpus (data/corpus, copied from shared/corpus with their URLs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reportkit as rk
from reportkit import paths

CORPUS_FILES = (sorted(paths.CORPUS.glob("*.txt")) + sorted((paths.CORPUS / "complete").glob("*.txt"))
                + sorted((paths.CORPUS / "html").glob("*.html")))


@pytest.fixture(scope="session")
def seed():
    return rk.load(paths.SEED_TEXT)


@pytest.fixture(scope="session")
def corpus():
    """(path, facts-json, report) for every real report we have."""
    out = []
    for p in CORPUS_FILES:
        out.append((p, json.loads(p.with_suffix(".json").read_text(encoding="utf-8")), rk.load(p)))
    return out


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: longer tests (still run in CI)")


def corpus_ids():
    return [str(p.relative_to(paths.CORPUS)) for p in CORPUS_FILES]


__all__ = ["CORPUS_FILES", "corpus_ids", "Path"]
