"""Run a review template into a meeting pack: validate, execute, render, publish, index.

``<output-dir>/<cadence>/<period>/`` receives ``pack.html``, the executed ``notebook.ipynb``
and ``manifest.json``. A pack in a language other than the workspace default goes to a
``<lang>/`` folder below it. Everything is built in a staging folder first and moved into
place only when execution and rendering succeeded, so a failed run never replaces a good
pack; the failed notebook is kept under ``<output-dir>/_failed/``.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from reviewkit.atomic import write_text_atomic
from reviewkit.errors import ConfigError, ParameterError, RunFailedError
from reviewkit.formatting import format_period
from reviewkit.periods import CADENCES, Cadence, Period, last_complete_period, parse_as_of
from reviewkit.resources import PACK_DIR_ENV, PACK_ENV, package_file
from reviewkit.texts import check_lang, t
from reviewkit.workspace import Workspace, find_workspace

# Parameters the runner sets itself; a template must declare them in its parameters cell.
RUNNER_PARAMETERS = ("workspace", "as_of", "lang")
RECORDED_PACKAGES = ("reviewkit", "duckdb", "pandas", "papermill", "nbconvert", "altair")

Progress = Callable[[str], None]


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

    values: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(
                f"--parameter {item!r}: write NAME=VALUE, e.g. -p what_if_rule='score >= 70'"
            )
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            value = text
        if value is None:
            value = ""
        if not isinstance(value, str | int | float | bool):
            raise ParameterError(
                f"--parameter {name}: {text!r} is not a single value (text or number); "
                f"quote it, e.g. -p {name}='...'"
            )
        values[name] = value
    return values


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
    import papermill

    declared = papermill.inspect_notebook(str(template))
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


def pack_directory(output_dir: Path, period: Period, lang: str, *, default_lang: str) -> Path:
    """The folder a pack is published to."""
    base = output_dir / period.cadence / period.label
    return base if lang == default_lang else base / lang


PACK_FILES = ("notebook.ipynb", "manifest.json", "pack.html")


def _extra_files(staging: Path) -> list[str]:
    """Files a template wrote next to its pack (e.g. the quarterly draft targets)."""
    return sorted(p.name for p in staging.iterdir() if p.is_file() and p.name not in PACK_FILES)


def _publish(staging: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    # The extra files first, pack.html last: a reader never sees a new pack without them.
    for name in [*_extra_files(staging), *PACK_FILES]:
        (staging / name).replace(target / name)


def _keep_failed(staging: Path, output_dir: Path, period: Period, lang: str) -> Path:
    # UTC, and unique even for two failures within a second
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:4]}"
    kept = output_dir / "_failed" / period.cadence / period.label / f"{stamp}-{lang}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging), kept)
    return kept / "notebook.ipynb"


def run_pack(
    cadence: str,
    *,
    as_of: str = "auto",
    lang: str = "",
    output_dir: str | Path | None = None,
    workspace: str | Path | Workspace | None = None,
    parameters: Mapping[str, Any] | None = None,
    progress: Progress = _noop,
) -> PackResult:
    """Execute a review template and publish its meeting pack.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
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
    """
    started = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    if cadence not in CADENCES:
        raise ParameterError(
            f"cadence: {cadence!r} is not a review cadence; use one of {', '.join(CADENCES)}"
        )
    review_cadence: Cadence = cadence  # type: ignore[assignment]
    lang = check_lang(lang or ws.config.lang)
    day = parse_as_of(as_of, today=ws.today())
    period = last_complete_period(review_cadence, day, calendar=ws.calendar)
    template = ws.template_path(cadence)
    if not template.is_file():
        raise ConfigError(f"template {template} not found; restore it or reinstall reviewkit")
    values = validate_parameters(
        template,
        {**(parameters or {}), "workspace": str(ws.root), "as_of": day.isoformat(), "lang": lang},
    )
    from reviewkit.definitions import load_definitions
    from reviewkit.store import connect, data_freshness, upgrade_schema
    from reviewkit.targets import load_targets

    definitions = load_definitions(ws)  # refuse a broken definitions file before running
    upgrade_schema(ws.store_path)  # a store from an earlier version gains the new tables
    con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    try:
        freshness = data_freshness(con)
        targets = load_targets(ws, definitions=definitions, con=con)
    finally:
        con.close()
    _check_kernel(ws.config.kernel)

    out = Path(output_dir) if output_dir is not None else ws.outputs_dir
    staging = out / "_staging" / f"{cadence}-{period.label}-{lang}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / "notebook.ipynb"
    try:
        progress(f"executing {template.name} for {period.label} ({lang})")
        t0 = time.perf_counter()
        notebook = _execute(template, executed, values, ws=ws, out=out, period=period, lang=lang)
        execute_s = time.perf_counter() - t0

        progress("rendering pack.html")
        t0 = time.perf_counter()
        title = f"{t(f'title.{cadence}', lang)} {format_period(period, lang=lang)}"
        try:
            from reviewkit.rendering import render_pack

            html = render_pack(notebook, title=title, lang=lang)
        except Exception as exc:
            kept = _keep_failed(staging, out, period, lang)
            raise RunFailedError(
                f"rendering the {cadence} pack for {period.label} failed: "
                f"{type(exc).__name__}: {exc}; executed notebook kept at {kept}"
            ) from exc
        write_text_atomic(staging / "pack.html", html)
        render_s = time.perf_counter() - t0

        target = pack_directory(out, period, lang, default_lang=ws.config.lang)
        from reviewkit.redaction import mask_secrets

        manifest = {
            "status": "ok",
            "cadence": cadence,
            "period": period.label,
            "period_start": period.start.isoformat(),
            "period_end": period.last_day.isoformat(),
            "as_of": day.isoformat(),
            "lang": lang,
            "title": title,
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
            "git_commit": _git_commit(),
            "packages": _versions(),
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "timings_seconds": {
                "execute": round(execute_s, 3),
                "render": round(render_s, 3),
                "total": round(time.perf_counter() - started, 3),
            },
            "pack_bytes": len(html.encode("utf-8")),
            "files": _extra_files(staging),
        }
        write_text_atomic(
            staging / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2)
        )
        progress(f"publishing to {target}")
        _publish(staging, target)
    except RunFailedError:
        _refresh_index(out, ws)  # the index shows the failure at once
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _cleanup_staging_root(out)

    _refresh_index(out, ws)
    return PackResult(
        cadence=cadence,
        period=period.label,
        lang=lang,
        directory=target,
        pack=target / "pack.html",
        notebook=target / "notebook.ipynb",
        manifest=target / "manifest.json",
        seconds=time.perf_counter() - started,
    )


def _refresh_index(out: Path, ws: Workspace) -> None:
    from reviewkit.index_page import write_index

    write_index(out, lang=ws.config.lang, timezone=ws.config.timezone)


def _cleanup_staging_root(out: Path) -> None:
    root = out / "_staging"
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


def _execute(
    template: Path,
    executed: Path,
    values: dict[str, Any],
    *,
    ws: Workspace,
    out: Path,
    period: Period,
    lang: str,
) -> Any:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # The kernel inherits the environment: templates render charts for a pack (the page
    # carries the chart runtime once) rather than for JupyterLab.
    os.environ[PACK_ENV] = "1"
    os.environ[PACK_DIR_ENV] = str(executed.parent)
    try:
        return papermill.execute_notebook(
            str(template),
            str(executed),
            parameters=values,
            kernel_name=ws.config.kernel,
            execution_timeout=ws.config.execution_timeout_seconds,
            progress_bar=False,
            log_output=False,
            cwd=str(ws.root),
            kernel_manager_class="reviewkit.kernel.IpcKernelManager",
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(executed.parent, out, period, lang)
        evalue = (str(exc.evalue).strip().splitlines() or [""])[0]
        raise RunFailedError(
            f"{template.name} failed for {period.label} in cell {exc.exec_count}: "
            f"{exc.ename}: {evalue}; executed notebook kept at {kept}"
        ) from exc
    except Exception as exc:
        if executed.exists():
            kept = _keep_failed(executed.parent, out, period, lang)
            where = f"; executed notebook kept at {kept}"
        else:
            where = ""
        first = (str(exc).strip().splitlines() or [""])[0]
        raise RunFailedError(
            f"{template.name} could not run for {period.label}: {type(exc).__name__}: "
            f"{first}{where}"
        ) from exc
    finally:
        os.environ.pop(PACK_ENV, None)
        os.environ.pop(PACK_DIR_ENV, None)
