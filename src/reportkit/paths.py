"""Project paths, so notebooks and scripts never guess ``../data``.

nbval starts a notebook's kernel in the notebook's folder and scripts run from anywhere, so paths are
computed here from the repository root: ``REPORTKIT_ROOT`` if set, else the checkout this package was
installed from (editable install), else the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def _root() -> Path:
    env = os.environ.get("REPORTKIT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    return Path.cwd()


ROOT = _root()
DATA = ROOT / "data"
SEED_TEXT = DATA / "seed" / "shuozhou-police-2021.txt"
SEED_RECORD = DATA / "seed" / "shuozhou-police-2021.yaml"
CORPUS = DATA / "corpus"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
