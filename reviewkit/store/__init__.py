"""The DuckDB store: schema, connections, what optional data it holds.

``from reviewkit.store import X`` keeps working for what ``reviewkit/store.py`` held before the
layered layout: names load lazily from :mod:`reviewkit.store.schema`.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    module = importlib.import_module("reviewkit.store.schema")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module 'reviewkit.store' has no attribute {name!r}") from None
