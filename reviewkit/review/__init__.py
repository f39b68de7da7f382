"""What a notebook calls: ``open_review()``, the review classes, the JupyterLab explorer.

``from reviewkit.review import X`` keeps working for what ``reviewkit/review.py`` held before the
layered layout: names load lazily from :mod:`reviewkit.review.base`.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    module = importlib.import_module("reviewkit.review.base")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module 'reviewkit.review' has no attribute {name!r}") from None
