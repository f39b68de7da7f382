"""Run a review template into a meeting pack: plan, execute, render, publish, index.

``<output-dir>/<cadence>/<period>/`` receives ``pack.html``, the executed ``notebook.ipynb``
and ``manifest.json``; a template of the workspace's own (``notebooks/NAME.ipynb``, see
:mod:`reviewkit.review.templates`) publishes to ``<output-dir>/NAME/<period>/``. A pack in a
language other than the workspace default goes to a ``<lang>/`` folder below it. Everything
is built in a staging folder first and moved into place only when execution and rendering
succeeded, so a failed run never replaces a good pack; the failed notebook is kept under
``<output-dir>/_failed/``. Whatever is published (or kept) goes through redaction first: no
e-mail address or phone number leaves in the notebook, the manifest, the files a template
wrote or an error message (see :mod:`reviewkit.core.published`); a segment holding one is refused.

The steps live in their own modules: :mod:`reviewkit.pack.plan` (the request checked once, the
inputs and manifest), :mod:`reviewkit.pack.execute` (papermill on the kernel),
:mod:`reviewkit.pack.render` (nbconvert) and :mod:`reviewkit.pack.publish` (the atomic move,
a failed run kept); this module strings them together.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.context import PackContext
from reviewkit.core.interrupts import checkpoint, interruptible, publish_step
from reviewkit.core.published import redact_executed, write_json
from reviewkit.core.redaction import redact_text
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import RunFailedError
from reviewkit.model.request import PackRequest
from reviewkit.pack.execute import early_kernel, execute, make_staging, new_staging
from reviewkit.pack.plan import PackPlan, plan_request, request_of
from reviewkit.pack.preflight import check_inputs
from reviewkit.pack.publish import FailedRun, cleanup_staging_root, publish, refresh_index
from reviewkit.pack.staging import sweep
from reviewkit.review.templates import CustomTemplate

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
    template_name: str = ""  # an analyst's template (its folder); "": the cadence's
    files: tuple[str, ...] = ()  # what the template published next to the pack (its context)

    @property
    def name(self) -> str:
        """The template's name, else the cadence: what ``reviewkit run`` was given."""
        return self.template_name or self.cadence


def _noop(_: str) -> None:
    return None


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
        :func:`reviewkit.pack.plan.plan_pack`.
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
    context = PackContext(make_staging(staging or new_staging(plan)), plan.lang, plan.label)
    context.write()
    record: dict[str, Any] = {
        k: plan.manifest[k] for k in ("template_name", "template_title") if k in plan.manifest
    }
    failure = FailedRun(plan.out, plan.period, plan.lang, plan.scope, plan.template_name, record)
    try:
        progress(f"executing {plan.template.name} for {plan.label}")
        t0 = time.perf_counter()
        notebook = execute(plan, context, failure=failure, kernel_manager=kernel_manager)
        checkpoint()  # a stop swallowed inside papermill's event loop
        timings = {"execute": time.perf_counter() - t0}
        t0 = time.perf_counter()
        # what is published: the pack (rendered from it), the notebook and the template's files
        notebook, withheld = redact_executed(notebook, context.folder)
        timings["redact"] = time.perf_counter() - t0
        progress("rendering pack.html")
        t0 = time.perf_counter()
        html = _render(plan, notebook, context.folder, failure=failure)
        timings["render"] = time.perf_counter() - t0
        files = context.published()
        manifest = _built_manifest(
            plan, html, files=files, withheld=withheld, timings=timings, started=started
        )
        write_json(context.folder / "manifest.json", manifest)
        progress(f"publishing to {plan.target}")
        with publish_step():  # a stop signal waits until the pack is whole
            publish(context.folder, plan.target, files=files)
    finally:
        shutil.rmtree(context.folder, ignore_errors=True)
        cleanup_staging_root(plan.out)
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
        files=tuple(files),
    )


def _render(plan: PackPlan, notebook: Any, staging: Path, *, failure: FailedRun) -> str:
    """Render the redacted notebook into ``pack.html`` in the staging folder; its HTML."""
    try:
        from reviewkit.pack.render import render_pack

        html = render_pack(notebook, title=plan.title, lang=plan.lang, redacted=True)
    except Exception as exc:
        checkpoint()
        error = redact_text(f"rendering the {plan.label} pack failed: {type(exc).__name__}: {exc}")
        kept = failure.keep(staging, error)
        raise RunFailedError(f"{error}; executed notebook kept at {kept}") from exc
    write_text_atomic(staging / "pack.html", html)
    return html


def _built_manifest(
    plan: PackPlan,
    html: str,
    *,
    files: list[str],
    withheld: list[str],
    timings: dict[str, float],
    started: float,
) -> dict[str, Any]:
    """The plan's manifest with what building it added: when, how long, what else was published."""
    return {
        **plan.manifest,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "timings_seconds": {
            "execute": round(timings["execute"], 3),
            "render": round(timings["render"], 3),
            "redact": round(timings["redact"], 3),
            "total": round(time.perf_counter() - started, 3),
        },
        "pack_bytes": len(html.encode("utf-8")),
        "files": files,
        **({"withheld": withheld} if withheld else {}),
    }


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
    request, custom = request_of(
        ws, cadence, as_of=as_of, lang=lang, segment=segment, segment_name=segment_name,
        output_dir=output_dir, parameters=parameters,
    )  # fmt: skip
    check_inputs(ws, output_dir=output_dir)
    with interruptible(f"the {cadence} pack"):
        return _run_pack(request, custom, progress=progress, started=started)


def _run_pack(
    request: PackRequest,
    custom: CustomTemplate | None,
    *,
    progress: Progress,
    started: float,
) -> PackResult:
    kernel = early_kernel(request.workspace)  # boots and imports while the pack is planned
    try:
        plan = plan_request(request, custom=custom)
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
            refresh_index(plan.out, request.workspace)  # a failure shows in the index at once
    finally:
        if kernel is not None:
            kernel.shutdown()
    return replace(result, seconds=time.perf_counter() - started)
