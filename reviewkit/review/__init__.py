"""What a notebook calls: ``open_review()``, the review classes, the JupyterLab explorer.

``from reviewkit.review import X`` keeps working for what ``reviewkit/review.py`` held before the
layered layout: names load lazily from :mod:`reviewkit.review.open` (``open_review``, the review
of each cadence) and :mod:`reviewkit.review.base` (``Review`` and what it imported).
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("reviewkit.review.open", "reviewkit.review.base")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    for path in _MODULES:
        module = importlib.import_module(path)
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'reviewkit.review' has no attribute {name!r}")
