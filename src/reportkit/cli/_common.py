"""What every command shares: the exit statuses of the CLI contract and JSON on stdout."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

VERSION = version("reportkit")
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")
