"""reviewkit: KPI review workbooks for B2B marketing and sales teams.

Data flows one way: import -> store -> definitions -> analysis -> presentation -> pack.
Importing the package is cheap and has no side effects: each public name loads its module on
first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

_LAZY = {
    "FiscalCalendar": "reviewkit.periods",
    "Period": "reviewkit.periods",
    "Funnel": "reviewkit.semantic",
    "Review": "reviewkit.review",
    "Workspace": "reviewkit.workspace",
    "company_settings": "reviewkit.onboarding",
    "connect": "reviewkit.store",
    "consistency_problems": "reviewkit.consistency",
    "explore": "reviewkit.drilldown_widget",
    "find_workspace": "reviewkit.workspace",
    "generate_sample": "reviewkit.sample_company",
    "identity_report": "reviewkit.identity",
    "import_file": "reviewkit.importer",
    "init_company_workspace": "reviewkit.onboarding",
    "init_workspace": "reviewkit.workspace",
    "last_complete_period": "reviewkit.periods",
    "load_definitions": "reviewkit.definitions",
    "load_identity_map": "reviewkit.identity",
    "load_schedule": "reviewkit.schedule",
    "load_targets": "reviewkit.targets",
    "open_review": "reviewkit.review",
    "parse_period": "reviewkit.periods",
    "parse_scope": "reviewkit.scope",
    "resolve_identities": "reviewkit.identity",
    "run_batch": "reviewkit.batch",
    "run_pack": "reviewkit.runner",
    "rate_card": "reviewkit.scorecard",
    "scorecard": "reviewkit.scorecard",
    "write_index": "reviewkit.index_page",
    "write_sample": "reviewkit.sample_company",
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
    from reviewkit.batch import run_batch
    from reviewkit.consistency import consistency_problems
    from reviewkit.definitions import load_definitions
    from reviewkit.drilldown_widget import explore
    from reviewkit.identity import identity_report, load_identity_map, resolve_identities
    from reviewkit.importer import import_file
    from reviewkit.index_page import write_index
    from reviewkit.onboarding import company_settings, init_company_workspace
    from reviewkit.periods import FiscalCalendar, Period, last_complete_period, parse_period
    from reviewkit.review import Review, open_review
    from reviewkit.runner import run_pack
    from reviewkit.sample_company import generate as generate_sample
    from reviewkit.sample_company import write_sample
    from reviewkit.schedule import load_schedule
    from reviewkit.scope import parse_scope
    from reviewkit.scorecard import rate_card, scorecard
    from reviewkit.semantic import Funnel
    from reviewkit.store import connect
    from reviewkit.targets import load_targets
    from reviewkit.workspace import Workspace, find_workspace, init_workspace


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), _RENAMED.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reviewkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
