"""Render an executed review notebook into a single-file HTML meeting pack."""

from __future__ import annotations

import copy
import functools
import re
import threading
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from reviewkit.core.redaction import redact_data, redact_text
from reviewkit.core.resources import package_file

# Cells that never reach a pack: papermill's injected parameters, the template's defaults and
# notes meant for analysts.
REMOVED_TAGS = ("injected-parameters", "parameters", "analyst-only")
_RENDERING = threading.Lock()


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


class PackExporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass, which a pack does not need.

    After rendering, :class:`~nbconvert.exporters.HTMLExporter` parses the whole page with
    BeautifulSoup to give ``<img>`` tags without ``alt`` a placeholder and the cells inside a
    ``.jp-Notebook`` element a ``tabindex``, and writes the page out again: about half of a
    pack's rendering (2,000 tags, a megabyte with the chart runtime). A pack has neither: its
    body is ``<main>`` (no ``.jp-Notebook``), and its outputs are reviewkit's HTML and inline
    SVG. A page that does have an ``<img>`` outside a script (a template of yours showing a
    picture) still goes through the pass, unchanged.
    """

    def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's own
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """The page of ``nb``: nbconvert's, without the BeautifulSoup pass where it does nothing."""
        given = copy.deepcopy(resources)
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if _NEEDS_SOUP.search(_SCRIPTS.sub("", html)):
            return super().from_notebook_node(nb, given, **kw)
        return html, resources


# What HTMLExporter's BeautifulSoup pass changes: an <img> (alt text), a .jp-Notebook element
# (tabindex of its cells); scripts (the chart runtime's own '<img' text) are not the page's.
_SCRIPTS = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_NEEDS_SOUP = re.compile(r"<img\b|jp-Notebook(?![-\w])", re.IGNORECASE)


@functools.cache
def _exporter(lang: str, redacted: bool) -> PackExporter:
    """The exporter of a pack language, made once per process (its templates compiled once)."""
    exporter = PackExporter(
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
    return exporter


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
    exporter = _exporter(lang, redacted)
    with _RENDERING:  # one exporter per language: one page at a time
        resources = {"metadata": {"name": redact_text(title)}, "rk_runtime": ""}
        if _has_charts(notebook):
            from reviewkit.present.charts.runtime import inline_script, vega_bundle

            resources["rk_runtime"] = inline_script(vega_bundle())
        html, _ = exporter.from_notebook_node(notebook, resources=resources)
    return str(html)


def _has_charts(notebook: nbformat.NotebookNode) -> bool:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if 'class="rk-chart"' in str(output.get("data", {}).get("text/html", "")):
                return True
    return False
