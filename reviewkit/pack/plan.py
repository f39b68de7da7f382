"""Plan a pack: check its request, resolve its template, work out what it is built from.

A :class:`PackPlan` holds everything known before the template runs: the period, the folder it
is published to, the parameters, the title and the manifest with the digest of its inputs
(:mod:`reviewkit.pack.fingerprint`), so a batch can skip a pack built from the same inputs. A
plan pickles: a batch plans in its own process and builds in its workers.
"""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from reviewkit.core.periods import Period, last_complete_period
from reviewkit.core.redaction import mask_secrets, redact_text
from reviewkit.core.resources import package_file
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ConfigError
from reviewkit.i18n.formatting import format_period
from reviewkit.i18n.texts import t
from reviewkit.model.request import PackRequest, check_cadence
from reviewkit.model.scope import Scope, check_scope
from reviewkit.pack.parameters import validate_parameters
from reviewkit.review.templates import CustomTemplate, resolve_template

RECORDED_PACKAGES = ("reviewkit", "duckdb", "pandas", "papermill", "nbconvert", "altair")


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=package_file(),
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise ConfigError(
            f"params/workspace.yml: kernel {name!r} is not installed; run `make demo` or "
            f"`python -m ipykernel install --sys-prefix --name {name}` in the project "
            "environment"
        ) from None


def pack_directory(
    output_dir: Path,
    period: Period,
    lang: str,
    *,
    default_lang: str,
    scope: Scope | None = None,
    name: str = "",
) -> Path:
    """The folder a pack is published to: ``<cadence>/<period>/[<segment>/][<lang>/]``.

    ``name``: an analyst's template, published under ``<name>/`` instead of its cadence's.
    """
    base = output_dir / (name or period.cadence) / period.label
    if scope is not None:
        base = base / scope.slug
    return base if lang == default_lang else base / lang


def scope_record(
    scope: Scope | None, *, lang: str, definitions: Any = None
) -> dict[str, Any] | None:
    """The segment as recorded in ``manifest.json`` and ``failure.json``.

    ``definitions`` name a dimension they add (e.g. a derived tier) in the label.
    """
    if scope is None:
        return None
    return {
        "column": scope.column, "values": list(scope.values), "name": scope.name,
        "text": scope.text, "slug": scope.slug, "label": scope.label(lang, definitions=definitions),
    }  # fmt: skip


@dataclass(frozen=True)
class PackPlan:
    """A pack checked and ready to build: everything known before its template runs.

    Made by :func:`plan_pack`; built by :func:`build_pack` (in this process or in a batch
    worker: a plan pickles).
    """

    cadence: str
    period: Period
    lang: str
    scope: Scope | None
    template: Path
    values: dict[str, Any]
    out: Path
    target: Path
    title: str
    workspace: Path
    kernel: str
    timeout: int
    inputs: dict[str, str]
    digest: str
    manifest: dict[str, Any]
    template_name: str = ""  # an analyst's template; "": the cadence's

    @property
    def name(self) -> str:
        """The template's name, else the cadence: its folder under the output folder."""
        return self.template_name or self.cadence

    @property
    def label(self) -> str:
        """``weekly 2026-W47`` (with the segment) for messages."""
        shown = "" if self.scope is None else f" {self.scope.text}"
        return f"{self.name} {self.period.label}{shown} ({self.lang})"

    def is_built(self) -> bool:
        """Whether the published pack was built from exactly these inputs."""
        try:
            data = json.loads((self.target / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            isinstance(data, dict)
            and data.get("status") == "ok"
            and data.get("inputs_digest") == self.digest
            and (self.target / "pack.html").is_file()
        )


@dataclass
class SharedInputs:
    """What every pack of a batch reads alike, loaded once (see :func:`plan_pack`).

    It also remembers what packs of the batch share once worked out: the data's freshness per
    cut-off, the segments found in the store, each segment's targets and their hash, and the
    store's row hashes per segment column (:class:`reviewkit.pack.fingerprint.DataHashes`),
    so planning 1,000 packs reads the store a few times, not 1,000 times. The store must not
    change while it is open (a batch's plans all come from the same rows).
    """

    definitions: Any
    targets: Any
    con: Any
    git_commit: str | None
    versions: dict[str, str]
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def remember(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """``make()``, computed once per ``key`` while this batch plans."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def data_hashes(self) -> Any:
        """The batch's :class:`reviewkit.pack.fingerprint.DataHashes` of the store."""
        from reviewkit.pack.fingerprint import DataHashes

        return self.remember(("data",), lambda: DataHashes(self.con))

    @classmethod
    def load(cls, ws: Workspace) -> SharedInputs:
        """Check the definitions and the kernel, open the store (read-only) and read targets.

        Raises
        ------
        ConfigError, StoreMissingError
            A broken definitions or targets file, a missing store or kernel.
        """
        from reviewkit.model.definitions import load_definitions
        from reviewkit.model.targets import load_targets
        from reviewkit.store.schema import connect, upgrade_schema

        definitions = load_definitions(ws)  # refuse a broken definitions file before running
        upgrade_schema(ws.store_path)  # a store from an earlier version gains the new tables
        _check_kernel(ws.config.kernel)
        con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
        try:
            targets = load_targets(ws, definitions=definitions, con=con)
        except Exception:
            con.close()
            raise
        return cls(definitions, targets, con, _git_commit(), _versions())

    def close(self) -> None:
        """Close the store connection."""
        self.con.close()


def _template_record(custom: CustomTemplate | None) -> dict[str, Any]:
    """What a manifest and a failure.json record of an analyst's template."""
    if custom is None:
        return {}
    return {
        "template_name": custom.name,
        "template_title": custom.titles,
    }


def request_of(
    ws: Workspace,
    name: str,
    *,
    as_of: str = "auto",
    lang: str = "",
    segment: str = "",
    segment_name: str = "",
    output_dir: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    definitions: Any = None,
) -> tuple[PackRequest, CustomTemplate | None]:
    """The request for ``name`` (a cadence or a template's), checked once, and its template.

    ``definitions`` (read from the workspace when a segment is asked for and they are not
    given) say which columns a segment may use: the lead columns and those they add.

    Raises
    ------
    ParameterError, ConfigError
        The first bad value, in one line.
    """
    custom = resolve_template(ws, name)
    cadence = check_cadence(name if custom is None else custom.cadence)
    if segment.strip() and definitions is None:
        from reviewkit.model.definitions import load_definitions

        definitions = load_definitions(ws)
    request = PackRequest.check(
        workspace=ws, cadence=cadence, as_of=as_of, lang=lang, segment=segment,
        segment_name=segment_name,
        columns=None if definitions is None else definitions.dimensions,
        template="" if custom is None else custom.name, output_dir=output_dir,
        parameters=parameters,
    )  # fmt: skip
    return request, custom


def plan_pack(
    cadence: str,
    *,
    as_of: str = "auto",
    lang: str = "",
    output_dir: str | Path | None = None,
    workspace: str | Path | Workspace | None = None,
    parameters: Mapping[str, Any] | None = None,
    segment: str = "",
    segment_name: str = "",
    shared: SharedInputs | None = None,
) -> PackPlan:
    """Check a pack's input and work out what it is built from (see :func:`run_pack`).

    ``shared`` (a batch's :class:`SharedInputs`) saves reading the definitions, targets and
    store for every pack.

    Raises
    ------
    ParameterError, ConfigError, StoreMissingError
        Bad input; nothing was executed.
    """
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    request, custom = request_of(
        ws, cadence, as_of=as_of, lang=lang, segment=segment, segment_name=segment_name,
        output_dir=output_dir, parameters=parameters,
        definitions=None if shared is None else shared.definitions,
    )  # fmt: skip
    return plan_request(request, custom=custom, shared=shared)


def plan_request(
    request: PackRequest,
    *,
    custom: CustomTemplate | None = None,
    shared: SharedInputs | None = None,
) -> PackPlan:
    """Plan the pack of a checked request (``custom``: its analyst's template, if any).

    Raises
    ------
    ConfigError, ParameterError, StoreMissingError
        A missing template, a parameter it does not declare, a broken input file or store.
    """
    ws = request.workspace
    ws.check_calendar()  # a country or subdivision the holidays library lacks fails here
    period = last_complete_period(request.cadence, request.as_of, calendar=ws.calendar)
    template = ws.template_path(request.cadence) if custom is None else custom.path
    if not template.is_file():
        raise ConfigError(f"template {template} not found; restore it or reinstall reviewkit")
    values = _template_values(request, template)
    inputs_of = SharedInputs.load(ws) if shared is None else shared
    try:
        inputs, freshness = _inputs(
            request, inputs_of, template=template, values=values, batch=shared is not None
        )
    finally:
        if shared is None:
            inputs_of.close()
    out = request.output_dir if request.output_dir is not None else ws.outputs_dir
    manifest = _manifest(
        request, custom, inputs_of, period=period, template=template, values=values,
        inputs=inputs, freshness=freshness,
    )  # fmt: skip
    return PackPlan(
        cadence=request.cadence, period=period, lang=request.lang, scope=request.scope,
        template=template, values=values, out=out,
        target=pack_directory(
            out, period, request.lang, default_lang=ws.config.lang, scope=request.scope,
            name=request.template,
        ),
        title=manifest["title"], workspace=ws.root, kernel=ws.config.kernel,
        timeout=ws.config.execution_timeout_seconds, inputs=inputs,
        digest=manifest["inputs_digest"], manifest=manifest, template_name=request.template,
    )  # fmt: skip


def _template_values(request: PackRequest, template: Path) -> dict[str, Any]:
    """The parameters the template is run with, checked against its parameters cell."""
    given = {
        **request.parameters,
        "workspace": str(request.workspace.root),
        "as_of": request.as_of.isoformat(),
    }
    if request.scope is not None:
        given |= {"segment": request.scope.text, "segment_name": request.scope.name}
    return validate_parameters(template, {**given, "lang": request.lang})


def _inputs(
    request: PackRequest,
    inputs_of: SharedInputs,
    *,
    template: Path,
    values: dict[str, Any],
    batch: bool = False,
) -> tuple[dict[str, str], Any]:
    """The pack's inputs (see :mod:`reviewkit.pack.fingerprint`) and its data's freshness.

    ``batch``: many packs are planned with ``inputs_of``; the store's row hashes are then read
    per segment column at once (the same hashes as one pack's query).
    """
    from reviewkit.pack.fingerprint import pack_inputs, targets_hash
    from reviewkit.semantic.funnel import cutoff_of
    from reviewkit.store.schema import data_freshness

    ws, scope = request.workspace, request.scope
    definitions, targets, con = inputs_of.definitions, inputs_of.targets, inputs_of.con
    cutoff = cutoff_of(request.as_of, timezone=ws.config.timezone)
    # "data as of": the newest record before this pack's cut-off, not the store's newest
    freshness = inputs_of.remember(
        ("freshness", cutoff), lambda: data_freshness(con, before=cutoff)
    )
    if scope is not None:  # raises for a value no lead has: remembered only once it passes
        inputs_of.remember(
            ("scope", scope.column, scope.values),
            lambda: check_scope(con, scope, definitions=definitions),
        )
    if request.cadence == "quarterly":  # the funnel decides which parameters fit: fail before
        from reviewkit.analysis.kgi_target import check_next_kgi_target
        from reviewkit.analysis.whatif_scope import check_what_if_rule

        check_what_if_rule(definitions, values.get("what_if_rule"))
        check_next_kgi_target(definitions, values.get("next_kgi_target"))
    key = None if scope is None else (scope.column, tuple(sorted(set(scope.values))))
    scoped, digest = inputs_of.remember(
        ("targets", key),
        lambda: _with_hash(
            targets if scope is None else targets.scoped(scope.column, scope.values), targets_hash
        ),
    )
    inputs = pack_inputs(
        con=con, params_dir=ws.params_dir, template=template, parameters=values,
        definitions_hash=definitions.version_hash, targets=scoped, targets_digest=digest,
        cutoff=cutoff, scope=scope, definitions=definitions,
        data=inputs_of.data_hashes() if batch else None,
    )  # fmt: skip
    return inputs, freshness


def _with_hash(targets: Any, hashed: Callable[[Any], str]) -> tuple[Any, str]:
    return targets, hashed(targets)


def _title(
    request: PackRequest, custom: CustomTemplate | None, period: Period, *, definitions: Any
) -> str:
    """The pack's title: the review's (or template's) name, the segment, the period."""
    lang = request.lang
    shown = "" if request.scope is None else request.scope.label(lang, definitions=definitions)
    named = t(f"title.{request.cadence}", lang) if custom is None else custom.title_in(lang)
    return redact_text(" ".join(x for x in (named, shown, format_period(period, lang=lang)) if x))


def _manifest(
    request: PackRequest,
    custom: CustomTemplate | None,
    inputs_of: SharedInputs,
    *,
    period: Period,
    template: Path,
    values: dict[str, Any],
    inputs: dict[str, str],
    freshness: Any,
) -> dict[str, Any]:
    """What ``manifest.json`` records before the pack is built."""
    from reviewkit.pack.fingerprint import inputs_digest

    ws, lang, definitions = request.workspace, request.lang, inputs_of.definitions
    return {
        "status": "ok",
        "cadence": request.cadence,
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.last_day.isoformat(),
        "as_of": request.as_of.isoformat(),
        "lang": lang,
        "title": _title(request, custom, period, definitions=definitions),
        "segment": scope_record(request.scope, lang=lang, definitions=definitions),
        "company": ws.config.company(lang),
        # Secret-looking parameters are masked; the environment is never recorded.
        "parameters": mask_secrets(values),
        "data_freshness": None if freshness is None else freshness.isoformat(),
        "definitions": {
            "version": definitions.version,
            "hash": definitions.version_hash,
            "agreed_on": definitions.agreed_on.isoformat(),
            "agreed_by": list(definitions.agreed_by),
        },
        "targets": inputs_of.targets.source,
        "workspace": str(ws.root),
        "store": str(ws.store_path),
        "template": str(template),
        "kernel": ws.config.kernel,
        "git_commit": inputs_of.git_commit,
        "packages": inputs_of.versions,
        "inputs": inputs,
        "inputs_digest": inputs_digest(inputs),
        **_template_record(custom),
    }
