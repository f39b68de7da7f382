"""The funnel.

The agreed definitions compiled to SQL; the only place that knows stage names and rate formulas.
``from reviewkit.semantic import X`` keeps working for what ``reviewkit/semantic.py`` held
before the layered layout: names load lazily from :mod:`reviewkit.semantic.funnel`.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    module = importlib.import_module("reviewkit.semantic.funnel")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module 'reviewkit.semantic' has no attribute {name!r}") from None
