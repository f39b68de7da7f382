"""A new template of your own: ``reviewkit new-template NAME`` scaffolds ``notebooks/NAME.ipynb``.

The notebook is thin, like the shipped templates: their parameters cell, ``open_review`` with
the template's name, the agenda's sections with a starter cell each and the drill-down cell.
Reading and checking templates is :mod:`reviewkit.review.templates`'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.periods import CADENCES
from reviewkit.core.resources import bundled
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.texts import LANGS, t
from reviewkit.review.templates import (
    ANALYST_ONLY,
    DEFAULT_CADENCE,
    LINE_LENGTH,
    METADATA_KEY,
    CustomTemplate,
    cell_source,
    cell_tags,
    check_name,
    humanise,
    read_notebook,
)

# The starter cells of each standard section, in agenda order ("kpi_status" by cadence).
_KPI_STARTERS = {
    "weekly": ("pace = review.pace()\nreview.pace_table(pace)", "review.trend_chart()"),
    "monthly": ("card = review.scorecard()\nreview.scorecard_table(card)", "review.trend_chart()"),
    "quarterly": (
        "card = review.scorecard()\nreview.scorecard_table(card)",
        "review.trend_chart()",
    ),
}
_STARTERS: dict[str, tuple[str, ...]] = {
    "summary": ("review.summary()",),
    "kpi_status": (),  # by cadence
    "deviations": ('review.split_chart("channel")',),
    "decisions": ("review.decisions()",),
    "actions": ("review.actions()",),
    "glossary": ("review.glossary()", "review.data_quality()"),
}
# the shipped templates' last cell, when one cannot be read from them
_EXPLORE = (
    "review.explore()  # drill-down in JupyterLab (metric, split, period, filters); never in packs"
)


def _shipped() -> dict[str, Any]:
    path = bundled("notebooks") / "monthly_review.ipynb"
    return read_notebook(path)


def shipped_parameters() -> str:
    """The shipped monthly template's parameters cell (every scaffold starts from it)."""
    cells = [c for c in _shipped()["cells"] if "parameters" in cell_tags(c)]
    if len(cells) != 1:
        raise ConfigError("the shipped monthly template has no parameters cell; reinstall it")
    return cell_source(cells[0]).rstrip("\n")


def shipped_explore() -> str:
    """The shipped monthly template's drill-down cell (every scaffold ends with it)."""
    for cell in _shipped()["cells"]:
        if cell.get("cell_type") == "code" and cell_source(cell).startswith("review.explore("):
            return cell_source(cell).rstrip("\n")
    return _EXPLORE


def _note(name: str, cadence: str, title: Mapping[str, str]) -> str:
    heading = title["ja"] if title["ja"] == title["en"] else f"{title['ja']} / {title['en']}"
    parts = [f"# {heading}"]
    for lang in LANGS:
        lines = [
            t("template.note.what", lang, period=t(f"template.period.{cadence}", lang)),
            t("template.note.run", lang, name=name),
            t("template.note.sections", lang),
            t("template.note.analyst", lang),
        ]
        parts += lines
    return "\n\n".join(parts)


def _hint(key: str) -> str:
    return "\n\n".join(t(f"template.hint.{key}", lang) for lang in LANGS)


def scaffold_notebook(name: str, *, cadence: str, title: Mapping[str, str]) -> Any:
    """A new template's notebook (an ``nbformat`` node; no outputs, every cell with an id).

    Parameters
    ----------
    name
        The template's name (checked by :func:`check_name`).
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
    title
        ``{"ja": ..., "en": ...}``.
    """
    import nbformat

    v4 = nbformat.v4

    def code(source: str, cell_id: str, *tags: str) -> Any:
        cell = v4.new_code_cell(source, id=cell_id)
        if tags:
            cell.metadata["tags"] = list(tags)
        return cell

    def markdown(source: str, cell_id: str) -> Any:
        cell = v4.new_markdown_cell(source, id=cell_id)
        cell.metadata["tags"] = [ANALYST_ONLY]
        return cell

    arguments = (
        f"{json.dumps(cadence)}, workspace=workspace, as_of=as_of, lang=lang, "
        f"template={json.dumps(name)}, **scope"
    )
    opened = f"review = rk.open_review({arguments})"
    if len(opened) > LINE_LENGTH:  # wrapped: three lines (a thin template's cell has 4 at most)
        opened = f"review = rk.open_review(\n    {arguments}\n)"
    opened += "\nreview.header()"
    cells = [
        markdown(_note(name, cadence, title), "title"),
        code(shipped_parameters(), "parameters", "parameters"),
        code(
            'import reviewkit as rk\n\nscope = {"segment": segment, "segment_name": segment_name}',
            "setup",
        ),
        code(opened, "header"),
        code("review.agenda()", "agenda"),
    ]
    for key, starters in _STARTERS.items():
        cells.append(markdown(_hint(key), f"{key}-hint"))
        cells.append(code(f"review.heading({json.dumps(key)})", f"{key}-heading"))
        for i, source in enumerate(starters or _KPI_STARTERS[cadence], start=1):
            cells.append(code(source, key if i == 1 else f"{key}-{i}"))
    cells.append(markdown(_hint("explore"), "explore-hint"))
    cells.append(code(shipped_explore(), "explore", ANALYST_ONLY))
    shipped = _shipped()["metadata"]
    metadata = {
        "kernelspec": shipped["kernelspec"],
        "language_info": shipped.get("language_info", {"name": "python"}),
        METADATA_KEY: {"cadence": cadence, "title": dict(title)},
    }
    nb = v4.new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(nb)
    return nb


def _title(given: str, name: str, option: str) -> str:
    text = given.strip() or humanise(name)
    if "\n" in text or "\r" in text:
        raise ParameterError(f"{option}: {given!r} holds a line break; give a one-line title")
    return text


def new_template(
    name: str,
    *,
    workspace: str | Path | Workspace | None = None,
    cadence: str = DEFAULT_CADENCE,
    title_ja: str = "",
    title_en: str = "",
) -> CustomTemplate:
    """Scaffold ``notebooks/NAME.ipynb`` in a workspace (never over an existing file).

    Parameters
    ----------
    name
        The template's name: snake_case, not ``weekly``/``monthly``/``quarterly`` nor
        ``<cadence>_review``.
    workspace
        The workspace (default: found from the environment).
    cadence
        The periods it reviews: ``weekly``, ``monthly`` or ``quarterly``.
    title_ja, title_en
        Its title in each pack language; ``""``: the name humanised (``Account review``).

    Returns
    -------
    CustomTemplate
        The template written.

    Raises
    ------
    ParameterError
        A bad name, cadence or title, or a file that already exists.
    """
    check_name(name)
    if cadence not in CADENCES:
        raise ParameterError(f"--cadence: {cadence!r} is not a cadence; use {', '.join(CADENCES)}")
    title = {
        "ja": _title(title_ja, name, "--title-ja"),
        "en": _title(title_en, name, "--title-en"),
    }
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    path = ws.template_path(name)
    if path.exists():
        raise ParameterError(
            f"new-template: {name!r}: {path} already exists and is never overwritten; choose "
            f"another snake_case name (e.g. {name}_2) or delete the file first"
        )
    import nbformat

    nb = scaffold_notebook(name, cadence=cadence, title=title)
    write_text_atomic(path, nbformat.writes(nb) + "\n")
    return CustomTemplate(name, path, cadence, title)
