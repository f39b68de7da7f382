"""The ``reviewkit`` command, one module per command group.

``from reviewkit.cli import X`` keeps working for what ``reviewkit/cli.py`` held before the
layered layout: names load lazily from :mod:`reviewkit.cli.main`.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    module = importlib.import_module("reviewkit.cli.main")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module 'reviewkit.cli' has no attribute {name!r}") from None
