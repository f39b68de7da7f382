"""reviewkit: KPI review workbooks for B2B marketing and sales teams.

Data flows one way, one package per layer (docs/architecture.md): core and i18n under
everything, then store -> model -> ingest -> semantic -> analysis -> present -> review -> pack
-> cli.
Importing the package is cheap and has no side effects: each public name loads its module on
first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from reviewkit.compat import install as _install_old_import_paths
from reviewkit.errors import (
    ConfigError,
    DataError,
    ParameterError,
    ReviewkitError,
    RunFailedError,
    RunInterruptedError,
    StoreBusyError,
    StoreMissingError,
)

__version__ = "0.1.0"

_install_old_import_paths()

_LAZY = {
    "FiscalCalendar": "reviewkit.core.periods",
    "Period": "reviewkit.core.periods",
    "Funnel": "reviewkit.semantic.funnel",
    "Review": "reviewkit.review.base",
    "Workspace": "reviewkit.core.workspace",
    "company_settings": "reviewkit.model.onboarding",
    "connect": "reviewkit.store.schema",
    "consistency_problems": "reviewkit.ingest.consistency",
    "explore": "reviewkit.review.open",
    "find_workspace": "reviewkit.core.workspace",
    "generate_sample": "reviewkit.ingest.sample.company",
    "identity_report": "reviewkit.ingest.identity",
    "import_file": "reviewkit.ingest.importer",
    "init_company_workspace": "reviewkit.model.onboarding",
    "init_workspace": "reviewkit.core.workspace",
    "last_complete_period": "reviewkit.core.periods",
    "load_definitions": "reviewkit.model.definitions",
    "load_identity_map": "reviewkit.ingest.identity_map",
    "load_schedule": "reviewkit.pack.schedule",
    "load_targets": "reviewkit.model.targets",
    "open_review": "reviewkit.review.open",
    "parse_period": "reviewkit.core.periods",
    "parse_scope": "reviewkit.model.scope",
    "resolve_identities": "reviewkit.ingest.identity",
    "run_batch": "reviewkit.pack.batch",
    "run_pack": "reviewkit.pack.runner",
    "rate_card": "reviewkit.analysis.scorecard",
    "scorecard": "reviewkit.analysis.scorecard",
    "write_index": "reviewkit.pack.index_page",
    "write_sample": "reviewkit.ingest.sample.write",
}
_RENAMED = {"generate_sample": "generate"}

__all__ = [
    "ConfigError",
    "DataError",
    "FiscalCalendar",
    "Funnel",
    "ParameterError",
    "Period",
    "Review",
    "ReviewkitError",
    "RunFailedError",
    "RunInterruptedError",
    "StoreBusyError",
    "StoreMissingError",
    "Workspace",
    "__version__",
    "company_settings",
    "connect",
    "consistency_problems",
    "explore",
    "find_workspace",
    "generate_sample",
    "identity_report",
    "import_file",
    "init_company_workspace",
    "init_workspace",
    "last_complete_period",
    "load_definitions",
    "load_identity_map",
    "load_schedule",
    "load_targets",
    "open_review",
    "parse_period",
    "parse_scope",
    "rate_card",
    "resolve_identities",
    "run_batch",
    "run_pack",
    "scorecard",
    "write_index",
    "write_sample",
]

if TYPE_CHECKING:
    from reviewkit.analysis.scorecard import rate_card, scorecard
    from reviewkit.core.periods import FiscalCalendar, Period, last_complete_period, parse_period
    from reviewkit.core.workspace import Workspace, find_workspace, init_workspace
    from reviewkit.ingest.consistency import consistency_problems
    from reviewkit.ingest.identity import identity_report, resolve_identities
    from reviewkit.ingest.identity_map import load_identity_map
    from reviewkit.ingest.importer import import_file
    from reviewkit.ingest.sample.company import generate as generate_sample
    from reviewkit.ingest.sample.write import write_sample
    from reviewkit.model.definitions import load_definitions
    from reviewkit.model.onboarding import company_settings, init_company_workspace
    from reviewkit.model.scope import parse_scope
    from reviewkit.model.targets import load_targets
    from reviewkit.pack.batch import run_batch
    from reviewkit.pack.index_page import write_index
    from reviewkit.pack.runner import run_pack
    from reviewkit.pack.schedule import load_schedule
    from reviewkit.review.base import Review
    from reviewkit.review.open import explore, open_review
    from reviewkit.semantic.funnel import Funnel
    from reviewkit.store.schema import connect


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), _RENAMED.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reviewkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
