"""Review templates of your own: ``notebooks/NAME.ipynb`` in a workspace.

``reviewkit new-template NAME`` scaffolds one (:mod:`reviewkit.review.new_template`): a thin
notebook like the shipped templates (the standard parameters, ``open_review``, the agenda's
sections with a starter cell each).
Its metadata, ``"reviewkit": {"cadence": "monthly", "title": {"ja": ..., "en": ...}}``, is the
single source of its cadence (the periods it reviews) and its title. ``reviewkit run NAME``
renders it like a shipped cadence, into ``<output-dir>/NAME/<period>/`` (see
:mod:`reviewkit.pack.runner`); ``params/schedule.yml`` may list it beside the cadences.

``notebooks/<cadence>_review.ipynb`` is not one of these: it replaces a shipped template.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.core.periods import CADENCES
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.texts import LANGS

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# The shipped reviews' names and the files that replace their templates.
OVERRIDES = tuple(f"{c}_review" for c in CADENCES)
RESERVED = (*CADENCES, *OVERRIDES)
METADATA_KEY = "reviewkit"
# What every template declares in its parameters cell (the runner sets them).
STANDARD_PARAMETERS = ("workspace", "as_of", "lang", "segment", "segment_name")
ANALYST_ONLY = "analyst-only"
DEFAULT_CADENCE = "monthly"
LINE_LENGTH = 100  # the code cells read as the project's formatter writes them


@dataclass(frozen=True)
class CustomTemplate:
    """An analyst's template: its name, file, cadence and title (from its metadata)."""

    name: str
    path: Path
    cadence: str
    title: dict[str, str] = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        """The template's title in ``lang`` (``ja`` or ``en``)."""
        return self.title.get(lang) or humanise(self.name)

    @property
    def titles(self) -> dict[str, str]:
        """Its title in every pack language, ``{"ja": ..., "en": ...}``."""
        return {lang: self.title_in(lang) for lang in LANGS}


def humanise(name: str) -> str:
    """``account_review`` -> ``Account review``: the default title of a template."""
    words = " ".join(name.split("_")).strip()
    return words[:1].upper() + words[1:]


def check_name(name: str) -> str:
    """Check a new template's name: snake_case, not a shipped review's.

    Raises
    ------
    ParameterError
        Naming the name, what is allowed and the fix.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise ParameterError(
            f"new-template: {name!r} is not a template name; use snake_case (a lowercase "
            "letter, then lowercase letters, digits or _), e.g. account_review"
        )
    if name in RESERVED:
        cadence = name.removesuffix("_review")
        raise ParameterError(
            f"new-template: {name!r} is the shipped {cadence} review; choose another "
            f"snake_case name, e.g. account_review (to change the {cadence} template itself, "
            f"copy it to notebooks/{cadence}_review.ipynb)"
        )
    return name


def template_files(root: Path) -> list[Path]:
    """The analysts' templates of a workspace: ``notebooks/*.ipynb`` but the overrides.

    Parameters
    ----------
    root
        The workspace folder.
    """
    folder = root / "notebooks"
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("*.ipynb")
        if p.is_file() and not p.name.startswith(".") and p.stem not in OVERRIDES
    )


def template_names(root: Path) -> list[str]:
    """The names ``reviewkit run`` accepts besides the cadences (snake_case files only)."""
    return [p.stem for p in template_files(root) if NAME_PATTERN.fullmatch(p.stem)]


def cell_source(cell: Mapping[str, Any]) -> str:
    """A notebook cell's source as one string (nbformat stores a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_tags(cell: Mapping[str, Any]) -> list[str]:
    """A notebook cell's tags (``[]`` without any)."""
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [str(x) for x in tags] if isinstance(tags, list) else []


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook file as JSON, or a :class:`ConfigError` saying how to repair it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"{path}: not a readable notebook ({reason}); open it in JupyterLab and save it "
            "again, or re-create it with `reviewkit new-template`"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ConfigError(
            f"{path}: not a notebook (no cells); re-create it with `reviewkit new-template`"
        )
    return data


def _metadata_problems(
    path: Path, data: Mapping[str, Any]
) -> tuple[str, dict[str, str], list[str]]:
    """The cadence and title a notebook's metadata declares, and what is wrong with them."""
    metadata = data.get("metadata")
    own = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    fix = (
        f'add "{METADATA_KEY}": {{"cadence": "monthly"}} to its metadata (JupyterLab: '
        "Property Inspector > Notebook metadata; weekly, monthly or quarterly), or re-create it "
        f"with `reviewkit new-template {path.stem}`"
    )
    if not isinstance(own, dict) or "cadence" not in own:
        return "", {}, [f"{path}: no {METADATA_KEY}.cadence in the notebook's metadata; {fix}"]
    problems = []
    cadence = own["cadence"]
    if cadence not in CADENCES:
        problems.append(
            f"{path}: metadata {METADATA_KEY}.cadence {cadence!r} is not a cadence; use "
            f"{', '.join(CADENCES)}"
        )
    raw = own.get("title")
    title: dict[str, str] = {}
    if isinstance(raw, str) and raw.strip():
        title = dict.fromkeys(LANGS, raw.strip())
    elif isinstance(raw, dict) and all(
        isinstance(raw.get(x), str) and raw[x].strip() for x in LANGS
    ):
        title = {x: str(raw[x]).strip() for x in LANGS}
    elif raw is not None:
        problems.append(
            f"{path}: metadata {METADATA_KEY}.title {raw!r} is not a title; write "
            '{"ja": "…", "en": "…"} (both languages) or leave it out (the file name is used)'
        )
    return str(cadence), title, problems


def _parameter_problems(path: Path, data: Mapping[str, Any]) -> list[str]:
    """What is wrong with a notebook's parameters cell (it must declare the standard ones)."""
    cells = [c for c in data["cells"] if isinstance(c, dict) and "parameters" in cell_tags(c)]
    like = "copy the parameters cell of notebooks/monthly_review.ipynb"
    if len(cells) != 1:
        found = "no cell" if not cells else f"{len(cells)} cells"
        return [f"{path}: {found} tagged 'parameters'; keep exactly one ({like})"]
    try:
        tree = ast.parse(cell_source(cells[0]))
    except SyntaxError as exc:
        return [f"{path}: the parameters cell is not valid Python (line {exc.lineno}: {exc.msg})"]
    declared = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    missing = [p for p in STANDARD_PARAMETERS if p not in declared]
    if missing:
        return [
            f"{path}: the parameters cell lacks {', '.join(missing)}; every template declares "
            f"{', '.join(STANDARD_PARAMETERS)} ({like})"
        ]
    return []


def template_problems(path: Path) -> list[str]:
    """Everything wrong with an analyst's template, one line each (``[]``: none).

    Checks the file name (snake_case), the metadata (``reviewkit.cadence`` and ``title``)
    and the parameters cell (one, declaring :data:`STANDARD_PARAMETERS`).
    """
    problems = []
    if not NAME_PATTERN.fullmatch(path.stem):
        better = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_") or "my_review"
        better = better if better[0].isalpha() else f"review_{better}"
        problems.append(
            f"{path}: {path.stem!r} is not a template name (snake_case: lowercase letters, "
            f"digits and _, starting with a letter); rename it, e.g. to {better}.ipynb"
        )
    try:
        data = read_notebook(path)
    except ConfigError as exc:
        return [*problems, str(exc)]
    problems += _metadata_problems(path, data)[2]
    return problems + _parameter_problems(path, data)


def read_template(path: Path) -> CustomTemplate:
    """Read an analyst's template's cadence and title from its metadata.

    Raises
    ------
    ConfigError
        An unreadable notebook, or metadata without a valid ``reviewkit.cadence`` (or with a
        bad title): naming the file and the fix.
    """
    cadence, title, problems = _metadata_problems(path, read_notebook(path))
    if problems:
        raise ConfigError(problems[0])
    return CustomTemplate(path.stem, path, cadence, title)


def unknown_name(name: str, root: Path) -> ParameterError:
    """The error for a name that is neither a cadence nor one of the workspace's templates."""
    found = template_names(root)
    listed = ", ".join(found) if found else "none yet"
    return ParameterError(
        f"cadence: {name!r} is not a review cadence nor a template; use {', '.join(CADENCES)} "
        f"or a template of {root / 'notebooks'} ({listed}); `reviewkit new-template NAME` "
        "creates one"
    )


def resolve_template(ws: Workspace, name: str) -> CustomTemplate | None:
    """What ``reviewkit run NAME`` renders: ``None`` for a cadence, else the template.

    Parameters
    ----------
    ws
        The workspace.
    name
        ``weekly``, ``monthly``, ``quarterly``, or a template's name (``NAME`` or
        ``NAME.ipynb``, in the workspace's ``notebooks/``).

    Raises
    ------
    ParameterError
        An unknown name: listing the cadences and the templates found.
    ConfigError
        A template without valid metadata.
    """
    if name in CADENCES:
        return None
    stem = name.removesuffix(".ipynb")
    if stem in OVERRIDES:
        cadence = stem.removesuffix("_review")
        raise ParameterError(
            f"cadence: {name!r} is the {cadence} review's template; run "
            f"`reviewkit run {cadence}` (it uses notebooks/{stem}.ipynb when the workspace "
            "has one)"
        )
    path = ws.template_path(stem)
    if not NAME_PATTERN.fullmatch(stem) or not path.is_file():
        raise unknown_name(name, ws.root)
    return read_template(path)


def load_template(name: str, *, workspace: str | Path | Workspace | None = None) -> CustomTemplate:
    """The template ``name`` of a workspace (for ``open_review(..., template=name)``).

    Raises
    ------
    ParameterError, ConfigError
        As :func:`resolve_template`; a cadence is not a template either.
    """
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    found = resolve_template(ws, name)
    if found is None:
        raise ParameterError(
            f"template: {name!r} is a shipped review, not a template of yours; leave "
            "template out, or name a notebook of notebooks/"
        )
    return found
