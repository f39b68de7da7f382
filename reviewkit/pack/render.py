"""Render an executed review notebook into a single-file HTML meeting pack."""

from __future__ import annotations

from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from reviewkit.core.redaction import redact_data, redact_text
from reviewkit.core.resources import package_file

# Cells that never reach a pack: papermill's injected parameters, the template's defaults and
# notes meant for analysts.
REMOVED_TAGS = ("injected-parameters", "parameters", "analyst-only")


class RedactPreprocessor(Preprocessor):
    """Replace e-mail addresses and phone numbers in a notebook's outputs before rendering.

    Covers every text output (``text/plain``, ``text/html``, markdown, SVG, JSON such as chart
    specifications), stream text, errors (name, message, traceback), the outputs' metadata
    and markdown cells (see :func:`reviewkit.core.redaction.redact_data`). Binary outputs (PNG and
    the like) are left as they are.
    """

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        """Redact one cell in place."""
        if cell.cell_type == "markdown":
            cell.source = redact_data(cell.source)
        if cell.get("outputs"):
            cell.outputs = [nbformat.from_dict(redact_data(o)) for o in cell.outputs]
        return cell, resources


def render_pack(
    notebook: nbformat.NotebookNode, *, title: str, lang: str, redacted: bool = False
) -> str:
    """Render ``notebook`` to HTML without code, prompts or anything fetched from the network.

    Parameters
    ----------
    notebook
        An executed review notebook.
    title
        The page title.
    lang
        ``ja`` or ``en`` (the page's ``lang`` attribute).
    redacted
        The notebook went through :func:`reviewkit.core.redaction.redact_notebook` already (as
        the runner's does): its outputs are not redacted again. The title always is.

    Returns
    -------
    str
        The pack, one self-contained HTML document.
    """
    exporter = HTMLExporter(
        template_name="reviewkit",
        extra_template_basedirs=[str(package_file("pack", "nbconvert_template"))],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        mathjax_url="",
        require_js_url="",
        language_code=lang,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True), enabled=True
    )
    # No e-mail address or phone number reaches a pack (reviewkit.core.redaction).
    if not redacted:
        exporter.register_preprocessor(RedactPreprocessor(enabled=True), enabled=True)
    resources = {"metadata": {"name": redact_text(title)}, "rk_runtime": ""}
    if _has_charts(notebook):
        from reviewkit.present.charts.runtime import inline_script, vega_bundle

        resources["rk_runtime"] = inline_script(vega_bundle())
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    return html


def _has_charts(notebook: nbformat.NotebookNode) -> bool:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if 'class="rk-chart"' in str(output.get("data", {}).get("text/html", "")):
                return True
    return False
