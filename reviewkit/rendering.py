"""Render an executed review notebook into a single-file HTML meeting pack."""

from __future__ import annotations

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from reviewkit.redaction import RedactPreprocessor
from reviewkit.resources import package_file

# Cells that never reach a pack: papermill's injected parameters, the template's defaults and
# notes meant for analysts.
REMOVED_TAGS = ("injected-parameters", "parameters", "analyst-only")


def render_pack(notebook: nbformat.NotebookNode, *, title: str, lang: str) -> str:
    """Render ``notebook`` to HTML without code, prompts or anything fetched from the network.

    Parameters
    ----------
    notebook
        An executed review notebook.
    title
        The page title.
    lang
        ``ja`` or ``en`` (the page's ``lang`` attribute).

    Returns
    -------
    str
        The pack, one self-contained HTML document.
    """
    exporter = HTMLExporter(
        template_name="reviewkit",
        extra_template_basedirs=[str(package_file("pack_template"))],
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
    # No e-mail address or phone number reaches a pack (reviewkit.redaction).
    exporter.register_preprocessor(RedactPreprocessor(enabled=True), enabled=True)
    resources = {"metadata": {"name": title}, "rk_runtime": ""}
    if _has_charts(notebook):
        from reviewkit.chart_runtime import inline_script, vega_bundle

        resources["rk_runtime"] = inline_script(vega_bundle())
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    return html


def _has_charts(notebook: nbformat.NotebookNode) -> bool:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if 'class="rk-chart"' in str(output.get("data", {}).get("text/html", "")):
                return True
    return False
