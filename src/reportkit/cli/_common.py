"""What every command shares: the exit statuses of the CLI contract and JSON on stdout."""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked (``importlib.metadata`` costs
    a tenth of a one-report command's start-up)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version
        print(f"reportkit {version('reportkit')}")
        parser.exit()


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")
