"""Old import paths (``reviewkit.runner``, ``reviewkit.semantic``, ...) kept working for a release.

reviewkit 0.1 had ~90 flat modules; they now live in layered packages (``docs/architecture.md``).
Importing an old path returns the module at its new place and warns once with a
``DeprecationWarning`` naming the new path. Old names that are packages now (``review``,
``semantic``, ``store``, ``cli``) re-export their former contents from the package itself.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any

# old module -> new module (the changelog in docs/architecture.md lists the same)
MOVED: dict[str, str] = {
    "actions": "model.actions",
    "actions_report": "present.sections.actions",
    "agenda": "present.agenda",
    "anomalies": "analysis.anomalies",
    "atomic": "core.atomic",
    "attribution": "analysis.attribution",
    "availability": "store.availability",
    "batch": "pack.batch",
    "batch_stop": "pack.batch_stop",
    "batch_view": "pack.batch_view",
    "batch_workers": "pack.batch_workers",
    "benchmarks": "analysis.benchmarks",
    "cause_selection": "analysis.cause_selection",
    "causes": "analysis.causes",
    "causes_report": "present.sections.causes",
    "chart_runtime": "present.charts.runtime",
    "charts": "present.charts.house",
    "charts_monthly": "present.charts.monthly",
    "charts_relevance": "present.charts.relevance",
    "checklist": "analysis.checklist",
    "cli_checks": "model.request",
    "cohorts": "semantic.cohorts",
    "config_paths": "core.config_paths",
    "consistency": "ingest.consistency",
    "consistency_report": "present.sections.consistency",
    "content": "analysis.content",
    "currency": "core.currency",
    "definitions": "model.definitions",
    "drilldown": "analysis.drilldown",
    "drilldown_report": "present.sections.drilldown",
    "drilldown_widget": "review.explorer",
    "effects": "analysis.effects",
    "effects_report": "present.sections.effects",
    "escapes": "core.escapes",
    "exchange_rates": "model.exchange_rates",
    "fingerprint": "pack.fingerprint",
    "followup": "analysis.followup",
    "followup_week": "present.sections.followup",
    "formatting": "i18n.formatting",
    "funnel_gaps": "semantic.funnel_gaps",
    "gap": "analysis.gap",
    "glossary": "present.glossary",
    "holiday_calendar": "core.holidays",
    "html": "present.html",
    "identity": "ingest.identity",
    "import_profiles": "ingest.profile",
    "import_records": "ingest.records",
    "import_report": "ingest.report",
    "import_rows": "ingest.rows",
    "import_touches": "ingest.touches",
    "importer": "ingest.importer",
    "index_page": "pack.index_page",
    "interrupts": "core.interrupts",
    "kernel": "pack.kernel",
    "kernel_launcher": "pack.kernel_launcher",
    "lazy_imports": "core.lazy_imports",
    "meeting": "present.sections.meeting",
    "monthly": "present.sections.monthly",
    "monthly_summary": "present.sections.monthly_summary",
    "onboarding": "model.onboarding",
    "pacing": "analysis.pacing",
    "parsing": "ingest.parsing",
    "periods": "core.periods",
    "preflight": "pack.preflight",
    "profile_detect": "ingest.profile_detect",
    "profile_draft": "ingest.profile_draft",
    "profile_guess": "ingest.profile_guess",
    "proposals": "analysis.proposals",
    "published": "core.published",
    "quality": "analysis.quality",
    "rate_basis": "analysis.rate_basis",
    "readers": "ingest.readers",
    "readers_bytes": "ingest.readers_bytes",
    "readers_xlsx": "ingest.readers_xlsx",
    "redaction": "core.redaction",
    "relevance": "analysis.relevance",
    "relevance_report": "present.sections.relevance",
    "rendering": "pack.render",
    "resources": "core.resources",
    "review_quarterly": "review.quarterly",
    "rules": "model.rules",
    "runner": "pack.runner",
    "sample_company": "ingest.sample.company",
    "sample_targets": "ingest.sample.targets",
    "schedule": "pack.schedule",
    "scope": "model.scope",
    "scorecard": "analysis.scorecard",
    "seasonality": "model.seasonality",
    "segments": "analysis.splits",
    "staging": "pack.staging",
    "starter_files": "model.starter_files",
    "store_checks": "pack.validate",
    "store_open": "store.opening",
    "styling": "present.styling",
    "summary": "present.summary",
    "tables": "present.tables",
    "target_plan": "analysis.target_plan",
    "target_plan_report": "present.sections.target_plan",
    "targets": "model.targets",
    "templates": "review.templates",
    "texts": "i18n.texts",
    "texts_actions": "i18n.texts_actions",
    "texts_batch": "i18n.texts_batch",
    "texts_calendar": "i18n.texts_calendar",
    "texts_causes": "i18n.texts_causes",
    "texts_cycle": "i18n.texts_cycle",
    "texts_effects": "i18n.texts_effects",
    "texts_explore": "i18n.texts_explore",
    "texts_import": "i18n.texts_import",
    "texts_index": "i18n.texts_index",
    "texts_missing": "i18n.texts_missing",
    "texts_monthly": "i18n.texts_monthly",
    "texts_plan": "i18n.texts_plan",
    "texts_quarterly": "i18n.texts_quarterly",
    "texts_relevance": "i18n.texts_relevance",
    "texts_templates": "i18n.texts_templates",
    "texts_timing": "i18n.texts_timing",
    "texts_trends": "i18n.texts_trends",
    "texts_weekly": "i18n.texts_weekly",
    "texts_whatif": "i18n.texts_whatif",
    "timing": "analysis.timing",
    "trends": "analysis.trends",
    "units": "model.units",
    "value_bounds": "core.value_bounds",
    "weekly": "present.sections.weekly",
    "whatif": "analysis.whatif",
    "whatif_report": "present.sections.whatif",
    "whatif_scope": "analysis.whatif_scope",
    "workspace": "core.workspace",
    "yaml_config": "core.yaml_config",
    "yaml_guard": "core.yaml_guard",
    "zoo": "ingest.sample.zoo",
}


class _Loader(importlib.abc.Loader):
    def __init__(self, new: str) -> None:
        self._new = new
        self._own: tuple[importlib.machinery.ModuleSpec | None, Any] = (None, None)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self._new}; import it from there (the old path goes in the "
            "next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(self._new)
        self._own = (module.__spec__, module.__loader__)  # the import system overwrites them
        return module

    def get_code(self, fullname: str) -> object:
        """The new module's code, so that ``python -m reviewkit.<old>`` still runs it."""
        spec = importlib.util.find_spec(self._new)
        loader = spec.loader if spec else None
        return loader.get_code(self._new) if loader and hasattr(loader, "get_code") else None

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module at its new place is already executed."""
        module.__spec__, module.__loader__ = self._own


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        head, _, rest = fullname.partition(".")
        if head != "reviewkit" or not rest:
            return None
        first, _, tail = rest.partition(".")
        if first not in MOVED or (tail and first != "zoo"):  # zoo was a package, its modules too
            return None
        new = f"reviewkit.{MOVED[first]}" + (f".{tail}" if tail else "")
        own = importlib.util.find_spec(new)  # its file, for ``python -m`` and tracebacks
        return importlib.util.spec_from_loader(
            fullname, _Loader(new), origin=own.origin if own else None
        )


def install() -> None:
    """Let old import paths find their modules (idempotent)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())  # before the path finder: zoo.* must not load twice
