"""Optional imports of our dependencies that cost start-up time and are rarely used.

jsonschema (under altair in the kernel, under nbformat and papermill in the runner) imports the
optional ``rfc3987_syntax`` IRI checker when it is installed, and that module builds its
grammar with lark at import: some forty parsers, about a second on every process start.
Nothing here validates IRIs, so :func:`defer_iri_grammar` puts a stand-in in its place that
loads the real module on first use: jsonschema still checks ``iri`` formats exactly as before
when asked to, and a process that never does so never pays for the grammar.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

IRI_MODULE = "rfc3987_syntax"


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its names is used, then hands over to it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # import machinery probing the stand-in: not a use
            raise AttributeError(name)
        return getattr(_load(self.__name__), name)


def _load(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if only its stand-in was there."""
    module = sys.modules.get(name)
    if module is None or isinstance(module, _Deferred):
        sys.modules.pop(name, None)
        module = importlib.import_module(name)
    return module


def _is_valid_syntax(term: str, value: str) -> bool:
    """``rfc3987_syntax.is_valid_syntax``, loading the grammar on the first call."""
    return bool(_load(IRI_MODULE).is_valid_syntax(term, value))


def defer_iri_grammar() -> bool:
    """Put a stand-in for ``rfc3987_syntax`` in ``sys.modules`` until it is really used.

    Call it before the first import of jsonschema (altair, nbformat, papermill). Does nothing
    when the module is already imported or not installed.

    Returns
    -------
    bool
        Whether the stand-in was installed.
    """
    if IRI_MODULE in sys.modules or importlib.util.find_spec(IRI_MODULE) is None:
        return False
    stand_in = _Deferred(IRI_MODULE, "Loads rfc3987_syntax on first use (reviewkit).")
    vars(stand_in)["is_valid_syntax"] = _is_valid_syntax
    sys.modules[IRI_MODULE] = stand_in
    return True
