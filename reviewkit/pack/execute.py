"""Execute a planned pack's template on a kernel (papermill), in its staging folder.

The kernel is told about the pack by one :class:`reviewkit.core.context.PackContext`: the
runner writes it into the staging folder and gives its path in :data:`CONTEXT_ENV` (inherited
by a kernel started here; set by :meth:`reviewkit.pack.kernel.WarmKernel.prepare` in a warm
one). A failed cell, or a kernel that cannot run, keeps the run under ``_failed/``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from reviewkit.core.context import CONTEXT_ENV, PackContext
from reviewkit.core.interrupts import checkpoint
from reviewkit.core.redaction import redact_text
from reviewkit.core.workspace import Workspace
from reviewkit.errors import RunFailedError
from reviewkit.pack.plan import PackPlan
from reviewkit.pack.publish import FailedRun
from reviewkit.pack.staging import claim

KERNEL_MANAGER = "reviewkit.pack.kernel.IpcKernelManager"
NOTEBOOK = "notebook.ipynb"


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


def early_kernel(ws: Workspace) -> Any:
    """A :class:`reviewkit.pack.kernel.WarmKernel` for one pack, or ``None`` if it cannot start.

    ``None`` leaves the kernel to :func:`execute`, which reports a missing kernel or a
    failed start properly. It learns its pack when prepared (:meth:`WarmKernel.prepare`).
    """
    from reviewkit.pack.kernel import WarmKernel

    try:
        return WarmKernel(ws.config.kernel, cwd=ws.root, warm_up="import reviewkit.review.base")
    except Exception:
        return None


def execute(
    plan: PackPlan,
    context: PackContext,
    *,
    failure: FailedRun,
    kernel_manager: Any = None,
) -> Any:
    """Run the plan's template on a kernel into ``notebook.ipynb`` of the context's folder.

    Parameters
    ----------
    plan
        The planned pack.
    context
        The pack's context (its file written): what the kernel is told.
    failure
        Where a failed run is kept.
    kernel_manager
        A started kernel told the context already (a warm one); ``None`` starts one.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook (not yet redacted).

    Raises
    ------
    RunFailedError
        A cell failed or the kernel could not run; the run is kept under ``_failed/``.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = context.folder / NOTEBOOK
    options: dict[str, Any] = {
        "kernel_name": plan.kernel,
        "execution_timeout": plan.timeout,
        "progress_bar": False,
        "log_output": False,
    }
    if kernel_manager is None:
        # The kernel inherits the environment: templates render charts for a pack (the page
        # carries the chart runtime once) rather than for JupyterLab.
        os.environ[CONTEXT_ENV] = str(context.path)
        options |= {"cwd": str(plan.workspace), "kernel_manager_class": KERNEL_MANAGER}
    else:
        options["km"] = kernel_manager  # a worker's kernel, told the pack's context already
    try:
        return papermill.execute_notebook(
            str(plan.template), str(executed), parameters=plan.values, **options
        )
    except Exception as exc:
        checkpoint()  # a stop signal killed the kernel: interrupted, not failed
        in_cell = isinstance(exc, PapermillExecutionError)
        error = _failure_line(exc, in_cell=in_cell, name=plan.template.name, label=failure.label)
        if in_cell or executed.exists():
            kept = failure.keep(context.folder, error)
            raise RunFailedError(f"{error}; executed notebook kept at {kept}") from exc
        raise RunFailedError(error) from exc
    finally:
        if kernel_manager is None:
            os.environ.pop(CONTEXT_ENV, None)


def _failure_line(exc: Exception, *, in_cell: bool, name: str, label: str) -> str:
    """The one line a failed execution is reported with (redacted: it may quote the data).

    ``in_cell``: a cell raised (papermill's ``PapermillExecutionError``); else the kernel or
    papermill itself failed.
    """
    if in_cell:
        evalue = (str(getattr(exc, "evalue", "")).strip().splitlines() or [""])[0]
        # the cell's first line, not its execution count: a batch kernel counts across packs
        line = (str(getattr(exc, "source", "")).strip().splitlines() or [""])[0][:80]
        ename = getattr(exc, "ename", "")
        return redact_text(f"{name} failed for {label} in the cell `{line}`: {ename}: {evalue}")
    first = (str(exc).strip().splitlines() or [""])[0]
    return redact_text(f"{name} could not run for {label}: {type(exc).__name__}: {first}")
