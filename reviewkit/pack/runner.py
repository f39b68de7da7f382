"""Run a review template into a meeting pack: validate, execute, render, publish, index.

``<output-dir>/<cadence>/<period>/`` receives ``pack.html``, the executed ``notebook.ipynb``
and ``manifest.json``; a template of the workspace's own (``notebooks/NAME.ipynb``, see
:mod:`reviewkit.review.templates`) publishes to ``<output-dir>/NAME/<period>/``. A pack in a
language other than the workspace default goes to a ``<lang>/`` folder below it. Everything
is built in a staging folder first and moved into place only when execution and rendering
succeeded, so a failed run never replaces a good pack; the failed notebook is kept under
``<output-dir>/_failed/``. Whatever is published (or kept) goes through redaction first: no
e-mail address or phone number leaves in the notebook, the manifest, the files a template
wrote or an error message (see :mod:`reviewkit.core.published`); a segment holding one is refused.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import functools
import json
import os
import platform
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.interrupts import checkpoint, interruptible, publish_step
from reviewkit.core.periods import CADENCES, Cadence, Period, last_complete_period, parse_as_of
from reviewkit.core.published import redact_executed, redact_folder, write_json
from reviewkit.core.redaction import has_contact_data, mask_secrets, redact_text
from reviewkit.core.resources import PACK_DIR_ENV, PACK_ENV, package_file
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ConfigError, ParameterError, RunFailedError
from reviewkit.i18n.formatting import format_period
from reviewkit.i18n.texts import check_lang, t
from reviewkit.model.scope import Scope, check_scope, parse_scope
from reviewkit.pack.preflight import check_inputs
from reviewkit.pack.staging import OWNER_FILE, claim, sweep
from reviewkit.review.templates import CustomTemplate, resolve_template

# Parameters the runner sets itself; a template must declare them in its parameters cell.
RUNNER_PARAMETERS = ("workspace", "as_of", "lang")
RECORDED_PACKAGES = ("reviewkit", "duckdb", "pandas", "papermill", "nbconvert", "altair")

Progress = Callable[[str], None]
KERNEL_MANAGER = "reviewkit.pack.kernel.IpcKernelManager"


@dataclass(frozen=True)
class PackResult:
    """Where a pack was written and how long it took."""

    cadence: str
    period: str
    lang: str
    directory: Path
    pack: Path
    notebook: Path
    manifest: Path
    seconds: float
    template_name: str = ""  # an analyst's template (its folder); "": the cadence's

    @property
    def name(self) -> str:
        """The template's name, else the cadence: what ``reviewkit run`` was given."""
        return self.template_name or self.cadence


def _noop(_: str) -> None:
    return None


def _type_name(value: Any) -> str:
    return type(value).__name__


def _declared_type(declared: Mapping[str, Any]) -> str | None:
    """The type of a template parameter: its annotation, else the type of its literal default."""
    annotated = declared.get("inferred_type_name")
    if annotated and annotated != "None":
        return str(annotated)
    try:
        default = ast.literal_eval(str(declared.get("default")))
    except (ValueError, SyntaxError):
        return None
    return None if default is None else _type_name(default)


def parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    """Read ``NAME=VALUE`` command-line parameters; each value is read as a YAML scalar.

    Raises
    ------
    ParameterError
        An item without ``=``, an empty name, or a value that is not a scalar.
    """
    import yaml

    from reviewkit.core.yaml_config import load_text

    values: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(
                f"--parameter {item!r}: write NAME=VALUE, e.g. -p what_if_rule='score >= 70'"
            )
        try:
            value = load_text(text, source=f"--parameter {name}") if text.strip() else ""
        except yaml.YAMLError:
            value = text
        except ConfigError as exc:  # nested too deeply, an alias bomb: one line
            raise ParameterError(str(exc)) from None
        if value is None:
            value = ""
        if not isinstance(value, str | int | float | bool):
            raise ParameterError(
                f"--parameter {name}: {text!r} is not a single value (text or number); "
                f"quote it, e.g. -p {name}='...'"
            )
        values[name] = value
    return values


@functools.lru_cache(maxsize=32)
def _declared_parameters(template: str, _mtime_ns: int) -> dict[str, Any]:
    """The template's parameters cell, read once per version of the file."""
    import papermill

    return dict(papermill.inspect_notebook(template))


def validate_parameters(template: Path, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``parameters`` against the template's ``parameters`` cell.

    Parameters
    ----------
    template
        The notebook template.
    parameters
        Values to inject.

    Returns
    -------
    dict
        The parameters, unchanged, when every name is declared by the template and every
        value has the type of the template's default.

    Raises
    ------
    ParameterError
        Naming the parameter, the bad value and what is allowed.
    """
    declared = _declared_parameters(str(template), template.stat().st_mtime_ns)
    if not declared:
        raise ConfigError(
            f"{template}: no cell tagged 'parameters'; tag the cell of default values"
        )
    for name, value in parameters.items():
        if name not in declared:
            raise ParameterError(
                f"parameter {name!r} is not declared by {template.name}; "
                f"declared parameters are {sorted(declared)}"
            )
        expected = _declared_type(declared[name])
        given = _type_name(value)
        if expected and given != expected and not (expected == "float" and given == "int"):
            raise ParameterError(
                f"parameter {name!r}: {value!r} is a {_type_name(value)}, but {template.name} "
                f"expects a {expected} (default {declared[name]['default']})"
            )
    missing = [p for p in RUNNER_PARAMETERS if p not in declared]
    if missing:
        raise ConfigError(
            f"{template}: the parameters cell lacks {missing}; every template declares "
            f"{list(RUNNER_PARAMETERS)}"
        )
    return dict(parameters)


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


def scope_record(scope: Scope | None, *, lang: str) -> dict[str, Any] | None:
    """The segment as recorded in ``manifest.json`` and ``failure.json``."""
    if scope is None:
        return None
    return {
        "column": scope.column, "values": list(scope.values), "name": scope.name,
        "text": scope.text, "slug": scope.slug, "label": scope.label(lang),
    }  # fmt: skip


PACK_FILES = ("notebook.ipynb", "manifest.json", "pack.html")


def _extra_files(staging: Path) -> list[str]:
    """Files a template wrote next to its pack (e.g. the quarterly draft targets)."""
    return sorted(
        p.name
        for p in staging.iterdir()
        if p.is_file() and p.name not in PACK_FILES and p.name != OWNER_FILE
    )


def _publish(staging: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    # The extra files first, pack.html last: a reader never sees a new pack without them.
    for name in [*_extra_files(staging), *PACK_FILES]:
        (staging / name).replace(target / name)


@dataclass(frozen=True)
class _Failure:
    """Where a failed run is kept, and what to record about it."""

    out: Path
    period: Period
    lang: str
    scope: Scope | None
    name: str = ""  # an analyst's template: kept under its name, not its cadence
    record: Mapping[str, Any] | None = None  # added to failure.json (the template's name)

    def keep(self, staging: Path, error: str) -> Path:
        """Redact the staging folder, move it under ``_failed/`` with a ``failure.json``.

        Returns the kept notebook's path.
        """
        # UTC, and unique even for two failures within a second
        now = dt.datetime.now(dt.UTC)
        stamp = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:4]}"
        folder = self.out / "_failed" / (self.name or self.period.cadence) / self.period.label
        if self.scope is not None:
            folder = folder / self.scope.slug
        kept = folder / f"{stamp}-{self.lang}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        (staging / OWNER_FILE).unlink(missing_ok=True)
        redact_folder(staging, rendered=())  # _failed/ is published: its notebook is linked
        shutil.move(str(staging), kept)
        record = {
            "status": "failed", "cadence": self.period.cadence, "period": self.period.label,
            "lang": self.lang, "segment": scope_record(self.scope, lang=self.lang),
            "error": error, "failed_at": now.isoformat(timespec="seconds"),
            **(self.record or {}),
        }  # fmt: skip
        write_json(kept / "failure.json", record)
        return kept / "notebook.ipynb"

    @property
    def label(self) -> str:
        """The period (and segment) in messages: ``2026-10``, ``2026-10 sales_team=Team B``."""
        return self.period.label + ("" if self.scope is None else f" {self.scope.text}")


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
    """What every pack of a batch reads alike, loaded once (see :func:`plan_pack`)."""

    definitions: Any
    targets: Any
    con: Any
    git_commit: str | None
    versions: dict[str, str]

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


@dataclass(frozen=True)
class _Request:
    """A checked request: the cadence, language, review date, segment and template."""

    cadence: Cadence
    lang: str
    day: dt.date
    scope: Scope | None
    custom: CustomTemplate | None  # an analyst's template; None: the cadence's own


def _check_request(
    ws: Workspace,
    name: str,
    *,
    as_of: str,
    lang: str,
    segment: str,
    segment_name: str,
    definitions: Any = None,
) -> _Request:
    """A request checked (``name``: a cadence or a template's), or a one-line error.

    ``definitions`` (read from the workspace when a segment is asked for and they are not
    given) say which columns a segment may use: the lead columns and those they add.
    """
    custom = resolve_template(ws, name)
    cadence = name if custom is None else custom.cadence
    if cadence not in CADENCES:  # resolve_template lets only the cadences through
        raise ParameterError(
            f"cadence: {cadence!r} is not a review cadence; use one of {', '.join(CADENCES)}"
        )
    checked = check_lang(lang or ws.config.lang)
    day = parse_as_of(as_of, today=ws.today())
    if segment.strip() and definitions is None:
        from reviewkit.model.definitions import load_definitions

        definitions = load_definitions(ws)
    columns = None if definitions is None else definitions.dimensions
    scope = parse_scope(segment, name=segment_name, parameter="--segment", columns=columns)
    if scope is not None and any(has_contact_data(v) for v in (*scope.values, scope.name)):
        raise ParameterError(
            f"segment {redact_text(scope.text)!r}: a segment value or name holding an e-mail "
            "address or phone number would be published in the pack's folder, title and "
            "manifest; segment by a column that holds no contact details"
        )
    return _Request(cadence, checked, day, scope, custom)  # type: ignore[arg-type]


def _template_record(custom: CustomTemplate | None) -> dict[str, Any]:
    """What a manifest and a failure.json record of an analyst's template."""
    if custom is None:
        return {}
    return {
        "template_name": custom.name,
        "template_title": custom.titles,
    }


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
    request = _check_request(
        ws, cadence, as_of=as_of, lang=lang, segment=segment, segment_name=segment_name,
        definitions=None if shared is None else shared.definitions,
    )  # fmt: skip
    lang, day, scope, custom = request.lang, request.day, request.scope, request.custom
    cadence = request.cadence
    ws.check_calendar()  # a country or subdivision the holidays library lacks fails here
    period = last_complete_period(cadence, day, calendar=ws.calendar)
    template = ws.template_path(cadence) if custom is None else custom.path
    if not template.is_file():
        raise ConfigError(f"template {template} not found; restore it or reinstall reviewkit")
    given = {**(parameters or {}), "workspace": str(ws.root), "as_of": day.isoformat()}
    if scope is not None:
        given |= {"segment": scope.text, "segment_name": scope.name}
    values = validate_parameters(template, {**given, "lang": lang})
    from reviewkit.pack.fingerprint import inputs_digest, pack_inputs
    from reviewkit.semantic.funnel import cutoff_of
    from reviewkit.store.schema import data_freshness

    own = shared is None
    inputs_of = SharedInputs.load(ws) if shared is None else shared
    definitions, targets, con = inputs_of.definitions, inputs_of.targets, inputs_of.con
    cutoff = cutoff_of(day, timezone=ws.config.timezone)
    try:
        # "data as of": the newest record before this pack's cut-off, not the store's newest
        freshness = data_freshness(con, before=cutoff)
        if scope is not None:
            check_scope(con, scope, definitions=definitions)
        if cadence == "quarterly":  # the funnel decides which parameters fit: fail before
            from reviewkit.analysis.kgi_target import check_next_kgi_target  # the kernel starts
            from reviewkit.analysis.whatif_scope import check_what_if_rule

            check_what_if_rule(definitions, values.get("what_if_rule"))
            check_next_kgi_target(definitions, values.get("next_kgi_target"))
        inputs = pack_inputs(
            con=con, params_dir=ws.params_dir, template=template, parameters=values,
            definitions_hash=definitions.version_hash,
            targets=targets if scope is None else targets.scoped(scope.column, scope.values),
            cutoff=cutoff, scope=scope,
            definitions=definitions,
        )  # fmt: skip
    finally:
        if own:
            inputs_of.close()

    out = Path(output_dir) if output_dir is not None else ws.outputs_dir
    shown = "" if scope is None else scope.label(lang)
    named = t(f"title.{cadence}", lang) if custom is None else custom.title_in(lang)
    title = redact_text(" ".join(x for x in (named, shown, format_period(period, lang=lang)) if x))
    manifest = {
        "status": "ok",
        "cadence": cadence,
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.last_day.isoformat(),
        "as_of": day.isoformat(),
        "lang": lang,
        "title": title,
        "segment": scope_record(scope, lang=lang),
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
        "targets": targets.source,
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
    name = "" if custom is None else custom.name
    return PackPlan(
        cadence=cadence, period=period, lang=lang, scope=scope, template=template,
        values=values, out=out,
        target=pack_directory(
            out, period, lang, default_lang=ws.config.lang, scope=scope, name=name
        ),
        title=title, workspace=ws.root, kernel=ws.config.kernel,
        timeout=ws.config.execution_timeout_seconds, inputs=inputs,
        digest=manifest["inputs_digest"], manifest=manifest, template_name=name,
    )  # fmt: skip


def new_staging(plan: PackPlan) -> Path:
    """A fresh staging folder for a pack (under ``<output-dir>/_staging/``; not created)."""
    tag = uuid.uuid4().hex[:8]
    return plan.out / "_staging" / f"{plan.cadence}-{plan.period.label}-{plan.lang}-{tag}"


def make_staging(staging: Path) -> Path:
    """Create a staging folder, even while another run removes the empty ``_staging/``.

    The folder records this process as its owner: a later run removes it only once this
    process is gone (see :func:`reviewkit.pack.staging.sweep`).
    """
    for _ in range(5):
        try:
            staging.mkdir(parents=True, exist_ok=True)
            claim(staging)
            return staging
        except FileNotFoundError:  # the parent went between its creation and ours
            continue
    staging.mkdir(parents=True, exist_ok=True)
    claim(staging)
    return staging


def build_pack(
    plan: PackPlan,
    *,
    kernel_manager: Any = None,
    staging: Path | None = None,
    progress: Progress = _noop,
) -> PackResult:
    """Execute a planned pack's template, render it and publish it (no index refresh).

    Parameters
    ----------
    plan
        :func:`plan_pack`.
    kernel_manager
        A started kernel to run on (a batch worker's); ``None`` starts one for this pack.
    staging
        The empty folder to build in (a worker's kernel was told it); default: a new one.
    progress
        Called with a short message at each step.

    Raises
    ------
    RunFailedError
        Execution or rendering failed; the published pack is left untouched and the executed
        notebook is kept under ``_failed/``.
    """
    started = time.perf_counter()
    out = plan.out
    staging = make_staging(staging or new_staging(plan))
    executed = staging / "notebook.ipynb"
    record: dict[str, Any] = {
        k: plan.manifest[k] for k in ("template_name", "template_title") if k in plan.manifest
    }
    failure = _Failure(out, plan.period, plan.lang, plan.scope, plan.template_name, record)
    try:
        progress(f"executing {plan.template.name} for {plan.label}")
        t0 = time.perf_counter()
        notebook = _execute(plan, executed, failure=failure, kernel_manager=kernel_manager)
        checkpoint()  # a stop swallowed inside papermill's event loop
        execute_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        # what is published: the pack (rendered from it), the notebook and the template's files
        notebook, withheld = redact_executed(notebook, staging)
        redact_s = time.perf_counter() - t0

        progress("rendering pack.html")
        t0 = time.perf_counter()
        try:
            from reviewkit.pack.render import render_pack

            html = render_pack(notebook, title=plan.title, lang=plan.lang, redacted=True)
        except Exception as exc:
            checkpoint()
            error = redact_text(
                f"rendering the {plan.label} pack failed: {type(exc).__name__}: {exc}"
            )
            kept = failure.keep(staging, error)
            raise RunFailedError(f"{error}; executed notebook kept at {kept}") from exc
        write_text_atomic(staging / "pack.html", html)
        render_s = time.perf_counter() - t0
        manifest = {
            **plan.manifest,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "timings_seconds": {
                "execute": round(execute_s, 3),
                "render": round(render_s, 3),
                "redact": round(redact_s, 3),
                "total": round(time.perf_counter() - started, 3),
            },
            "pack_bytes": len(html.encode("utf-8")),
            "files": _extra_files(staging),
            **({"withheld": withheld} if withheld else {}),
        }
        write_json(staging / "manifest.json", manifest)
        progress(f"publishing to {plan.target}")
        with publish_step():  # a stop signal waits until the pack is whole
            _publish(staging, plan.target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _cleanup_staging_root(out)
    return PackResult(
        cadence=plan.cadence,
        period=plan.period.label,
        lang=plan.lang,
        directory=plan.target,
        pack=plan.target / "pack.html",
        notebook=plan.target / "notebook.ipynb",
        manifest=plan.target / "manifest.json",
        seconds=time.perf_counter() - started,
        template_name=plan.template_name,
    )


def run_pack(
    cadence: str,
    *,
    as_of: str = "auto",
    lang: str = "",
    output_dir: str | Path | None = None,
    workspace: str | Path | Workspace | None = None,
    parameters: Mapping[str, Any] | None = None,
    segment: str = "",
    segment_name: str = "",
    progress: Progress = _noop,
) -> PackResult:
    """Execute a review template and publish its meeting pack.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``, or the name of a template of the
        workspace's (``notebooks/NAME.ipynb``, see :mod:`reviewkit.review.templates`): its pack
        covers a period of the cadence in its metadata and goes to ``<output-dir>/NAME/``.
    as_of
        Review date ``YYYY-MM-DD`` or ``auto`` (today in the workspace time zone). The pack
        covers the last complete period before it.
    lang
        ``ja`` or ``en``; ``""`` uses the workspace default.
    output_dir
        Where packs go; default: the workspace's ``outputs/``.
    workspace
        The workspace folder (or a loaded :class:`Workspace`); default: found from the
        environment.
    parameters
        Extra template parameters; names must be declared by the template.
    segment
        ``KEY=VALUE`` or ``KEY=VALUE,VALUE``: a segment pack (see :mod:`reviewkit.model.scope`),
        published under ``<cadence>/<period>/<key>-<value>/``; ``""``: the whole company.
    segment_name
        A name for a group of values (its folder and header).
    progress
        Called with a short message at each step.

    Returns
    -------
    PackResult

    Raises
    ------
    ParameterError, ConfigError, StoreMissingError
        Bad input; nothing was executed.
    RunFailedError
        Execution or rendering failed; an earlier pack for the period is left untouched.
    RunInterruptedError
        SIGINT or SIGTERM stopped it (exit 130, 143): the kernel is stopped and nothing
        half-built is published.
    """
    started = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    # bad input: one line before a kernel starts (the request's own values first)
    _check_request(ws, cadence, as_of=as_of, lang=lang, segment=segment, segment_name=segment_name)
    check_inputs(ws, output_dir=output_dir)
    with interruptible(f"the {cadence} pack"):
        return _run_pack(
            cadence, ws, as_of=as_of, lang=lang, output_dir=output_dir, parameters=parameters,
            segment=segment, segment_name=segment_name, progress=progress, started=started,
        )  # fmt: skip


def _run_pack(
    cadence: str,
    ws: Workspace,
    *,
    as_of: str,
    lang: str,
    output_dir: str | Path | None,
    parameters: Mapping[str, Any] | None,
    segment: str,
    segment_name: str,
    progress: Progress,
    started: float,
) -> PackResult:
    kernel = _early_kernel(ws)  # boots and imports while the pack is planned
    try:
        plan = plan_pack(
            cadence, as_of=as_of, lang=lang, output_dir=output_dir, workspace=ws,
            parameters=parameters, segment=segment, segment_name=segment_name,
        )  # fmt: skip
        sweep(plan.out)  # what a killed run left (never a live run's folder)
        staging = make_staging(new_staging(plan))
        if kernel is not None:
            try:
                kernel.prepare(staging)
            except RunFailedError:  # start a kernel the usual way instead
                kernel.shutdown()
                kernel = None
        try:
            result = build_pack(
                plan, kernel_manager=None if kernel is None else kernel.manager,
                staging=staging, progress=progress,
            )  # fmt: skip
        finally:
            _refresh_index(plan.out, ws)  # a failure shows in the index at once
    finally:
        if kernel is not None:
            kernel.shutdown()
    return replace(result, seconds=time.perf_counter() - started)


def _early_kernel(ws: Workspace) -> Any:
    """A :class:`reviewkit.pack.kernel.WarmKernel` for one pack, or ``None`` if it cannot start.

    ``None`` leaves the kernel to :func:`build_pack`, which reports a missing kernel or a
    failed start properly.
    """
    from reviewkit.pack.kernel import WarmKernel

    previous = os.environ.get(PACK_ENV)
    os.environ[PACK_ENV] = "1"  # the kernel inherits it: charts for a pack
    try:
        return WarmKernel(ws.config.kernel, cwd=ws.root, warm_up="import reviewkit.review.open")
    except Exception:
        return None
    finally:
        if previous is None:
            os.environ.pop(PACK_ENV, None)
        else:
            os.environ[PACK_ENV] = previous


def _refresh_index(out: Path, ws: Workspace) -> None:
    from reviewkit.pack.index_page import write_index

    write_index(out, lang=ws.config.lang, timezone=ws.config.timezone)


def _cleanup_staging_root(out: Path) -> None:
    """Remove ``_staging/`` when it is empty (another run may be using it: then it stays)."""
    with contextlib.suppress(OSError):  # not empty, or already gone
        (out / "_staging").rmdir()


def _execute(
    plan: PackPlan, executed: Path, *, failure: _Failure, kernel_manager: Any = None
) -> Any:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    name = plan.template.name
    options: dict[str, Any] = {
        "kernel_name": plan.kernel,
        "execution_timeout": plan.timeout,
        "progress_bar": False,
        "log_output": False,
    }
    if kernel_manager is None:
        # The kernel inherits the environment: templates render charts for a pack (the page
        # carries the chart runtime once) rather than for JupyterLab.
        os.environ[PACK_ENV] = "1"
        os.environ[PACK_DIR_ENV] = str(executed.parent)
        options |= {"cwd": str(plan.workspace), "kernel_manager_class": KERNEL_MANAGER}
    else:
        options["km"] = kernel_manager  # a worker's kernel, told the pack folder already
    try:
        return papermill.execute_notebook(
            str(plan.template), str(executed), parameters=plan.values, **options
        )
    except PapermillExecutionError as exc:
        checkpoint()  # a stop signal killed the kernel: interrupted, not failed
        evalue = (str(exc.evalue).strip().splitlines() or [""])[0]
        # the cell's first line, not its execution count: a batch kernel counts across packs
        line = (str(exc.source).strip().splitlines() or [""])[0][:80]
        error = f"{name} failed for {failure.label} in the cell `{line}`: {exc.ename}: {evalue}"
        error = redact_text(error)  # a message may quote a value of the data
        kept = failure.keep(executed.parent, error)
        raise RunFailedError(f"{error}; executed notebook kept at {kept}") from exc
    except Exception as exc:
        checkpoint()
        first = (str(exc).strip().splitlines() or [""])[0]
        error = f"{name} could not run for {failure.label}: {type(exc).__name__}: {first}"
        error = redact_text(error)
        if executed.exists():
            kept = failure.keep(executed.parent, error)
            raise RunFailedError(f"{error}; executed notebook kept at {kept}") from exc
        raise RunFailedError(error) from exc
    finally:
        if kernel_manager is None:
            os.environ.pop(PACK_ENV, None)
            os.environ.pop(PACK_DIR_ENV, None)
