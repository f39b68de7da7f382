"""Everything reviewkit publishes goes through redaction first.

See :mod:`reviewkit.core.redaction`.

The output folder is copied to a file share or served as it is, so every file in it is
published: next to each ``pack.html`` the executed ``notebook.ipynb``, ``manifest.json`` and
what the template wrote beside them (``proposals.json``, ``targets-draft-*.yml``); under
``_failed/`` the notebooks of failed runs and their ``failure.json``; ``index.html``; the batch
logs and ``_logs/last-batch.json``. The runner calls :func:`redact_executed` on a pack's
staging folder once its template ran (the pack is rendered from the redacted notebook) and
:func:`redact_folder` on a failed run's before it is kept under ``_failed/``; the writers of
the other files use :func:`redact_text` (or :func:`write_json`) on what they write.

How each file of a folder is redacted:

- ``.ipynb`` and ``.json``: parsed, every string redacted (keys too; a notebook's binary
  outputs such as PNG are kept), written back in the same layout;
- any other text (UTF-8): the whole text (YAML, CSV, Markdown, HTML, logs);
- a binary file (one that is not UTF-8 text: an Excel or Parquet export) cannot be checked,
  so it is withheld: removed from the folder, and named in the manifest's ``withheld``.

``pack.html`` is left to :func:`reviewkit.pack.render.render_pack`, which redacts the notebook's
outputs and the title as it renders (a whole-page pass would also read the chart runtime).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.redaction import redact_data, redact_notebook, redact_text

RENDERED = ("pack.html",)  # redacted while rendered, not again here
NOTEBOOK = "notebook.ipynb"
JSON_SUFFIXES = (".json", ".ipynb")


def write_json(path: Path, value: Any, *, indent: int = 2) -> None:
    """Write ``value`` as JSON to ``path`` (atomically) with every string redacted.

    Parameters
    ----------
    path
        The file: a manifest, a ``failure.json``, ``last-batch.json``.
    value
        What to write (parsed JSON: mappings, lists, scalars).
    indent
        JSON indentation.
    """
    text = json.dumps(redact_data(value), ensure_ascii=False, indent=indent)
    write_text_atomic(path, text)


def _notebook_text(data: Any) -> str:
    """A notebook read from disk, in nbformat's layout again (as papermill wrote it)."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


def redact_file(path: Path) -> bool:
    """Redact one file in place (see the module's notes); ``False`` if it is binary.

    Parameters
    ----------
    path
        A file about to be published.

    Returns
    -------
    bool
        ``True`` when the file is text and now holds no e-mail address or phone number;
        ``False`` when it is binary and was left unchanged (the caller withholds it).
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    if path.suffix in JSON_SUFFIXES:
        try:
            data = json.loads(text)
        except ValueError:  # not JSON after all: redact it as text
            data = None
        else:
            redacted = redact_data(data)
            if redacted != data:
                shown = (
                    _notebook_text(redacted)
                    if path.suffix == ".ipynb"
                    else json.dumps(redacted, ensure_ascii=False, indent=1)
                )
                write_text_atomic(path, shown)
            return True
    redacted_text = redact_text(text)
    if redacted_text != text:
        write_text_atomic(path, redacted_text)
    return True


def redact_folder(folder: Path, *, rendered: tuple[str, ...] = RENDERED) -> list[str]:
    """Redact every file under ``folder`` before it is published; withhold binary files.

    Parameters
    ----------
    folder
        A pack's staging folder (or a failed run's, before it is kept under ``_failed/``).
    rendered
        Names of files already redacted as they were made (``pack.html``): left as they are.

    Returns
    -------
    list of str
        The files withheld (removed: binary, so they could not be checked), relative to
        ``folder``, sorted; ``[]`` usually.
    """
    withheld = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.parent == folder and path.name in rendered:
            continue
        if not redact_file(path):
            path.unlink()
            withheld.append(path.relative_to(folder).as_posix())
    return withheld


def redact_executed(notebook: Any, folder: Path) -> tuple[Any, list[str]]:
    """Redact a pack's staging folder once its template ran: the notebook and the rest.

    Parameters
    ----------
    notebook
        The executed notebook (papermill's result; its raw copy is ``folder/notebook.ipynb``).
    folder
        The staging folder.

    Returns
    -------
    tuple
        The redacted notebook, written over ``notebook.ipynb`` (render the pack from it:
        ``render_pack(..., redacted=True)`` need not redact it again), and the files
        withheld (see :func:`redact_folder`).
    """
    from nbformat.v4 import writes_json

    redacted = redact_notebook(notebook)
    write_text_atomic(folder / NOTEBOOK, writes_json(redacted))  # as papermill writes it
    return redacted, redact_folder(folder, rendered=(*RENDERED, NOTEBOOK))
