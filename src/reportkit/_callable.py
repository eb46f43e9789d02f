"""Stage modules that can be called like their main function.

The issues ask for ``reportkit.check(report)``, ``reportkit.reconstruct(report)``,
``reportkit.draft(rec)`` and ``reportkit.export(rec, fmt, out)`` while the same names are modules whose
other functions (``reportkit.check.gaps``, ``reportkit.reconstruct.Reconstruction``) must stay
reachable. A function imported into the package would shadow its module, so instead each module
makes itself callable, forwarding to its main function.
"""

from __future__ import annotations

import sys
import types


def make_callable(module_name: str, func_name: str) -> None:
    """Make ``sys.modules[module_name](...)`` call ``module.<func_name>(...)``."""
    module = sys.modules[module_name]

    class _Stage(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return getattr(self, func_name)(*args, **kwargs)

    _Stage.__name__ = f"CallableModule[{module_name}]"
    module.__class__ = _Stage
