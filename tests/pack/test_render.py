"""The pack exporter: nbconvert's page without its BeautifulSoup pass, the same document."""

from __future__ import annotations

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from reviewkit.pack.render import _exporter, render_pack


def _notebook(html: str) -> nbformat.NotebookNode:
    output = nbformat.v4.new_output(
        "display_data", data={"text/html": html, "text/plain": "x"}, metadata={}
    )
    cell = nbformat.v4.new_code_cell("review.summary()", outputs=[output])
    return nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell("**a** & b")])


def _nbconvert_page(notebook: nbformat.NotebookNode, *, lang: str) -> str:
    """What HTMLExporter itself makes of the notebook with the pack exporter's settings."""
    ours = _exporter(lang, True)
    exporter = HTMLExporter(
        template_name=ours.template_name,
        extra_template_basedirs=ours.extra_template_basedirs,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        mathjax_url="",
        require_js_url="",
        language_code=lang,
    )
    resources = {"metadata": {"name": "Pack"}, "rk_runtime": ""}
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    return str(html)


def test_the_page_is_nbconverts_without_the_soup_pass() -> None:
    notebook = _notebook(
        '<div class="rk-box" data-b="2" data-a="1"><p>Revenue &lt; target: 1,234 円</p>'
        "<script>const s = '<img src=x>';</script></div>"
    )
    page = render_pack(notebook, title="Pack", lang="ja", redacted=True)
    expected = _nbconvert_page(notebook, lang="ja")
    # the pass only re-serialises this page (no <img> outside a script, no .jp-Notebook)
    assert str(BeautifulSoup(page, features="html.parser")) == expected
    assert "Revenue &lt; target: 1,234 円" in page


def test_an_image_still_gets_nbconverts_alt_text() -> None:
    notebook = _notebook('<img src="data:image/png;base64,AAAA">')
    page = render_pack(notebook, title="Pack", lang="en", redacted=True)
    assert page == _nbconvert_page(notebook, lang="en")
    assert 'alt="No description has been provided for this image"' in page


def test_the_exporter_is_made_once_per_language() -> None:
    first = render_pack(_notebook("<p>one</p>"), title="A", lang="en", redacted=True)
    again = render_pack(_notebook("<p>two</p>"), title="B", lang="en", redacted=True)
    assert _exporter("en", True) is _exporter("en", True)
    assert "<title>A</title>" in first and "<p>one</p>" in first
    assert "<title>B</title>" in again and "<p>two</p>" in again and "<p>one</p>" not in again
