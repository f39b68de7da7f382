"""One pack request, checked once: cadence, review date, language, segment, output folder.

Every way of asking for a pack goes through :class:`PackRequest`: ``reviewkit run``
(:func:`reviewkit.pack.runner.run_pack`), each pack of ``reviewkit batch``
(:func:`reviewkit.pack.plan.plan_pack`) and a notebook's ``open_review``
(:meth:`PackRequest.check`). A bad value is one line (:class:`ParameterError`, exit 2) before
any work. The request sits in the model layer, not in core: checking it needs the pack
languages (i18n) and the segment syntax (:mod:`reviewkit.model.scope`).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from reviewkit.core.periods import CADENCES, Cadence, parse_as_of
from reviewkit.core.redaction import has_contact_data, redact_text
from reviewkit.core.workspace import Workspace
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import check_lang
from reviewkit.model.scope import Scope, parse_scope

#: The most packs ``reviewkit batch`` builds at once (each is a worker and a kernel).
MAX_JOBS = 64


def check_output_dir(path: Path | None, *, option: str = "--output-dir") -> Path | None:
    """``path`` if files can be written there: a writable folder, or one that can be made.

    A folder that does not exist yet is fine when its nearest existing parent is a writable
    folder (the run creates it). Writability is tried (a temporary file made and removed), as
    permission bits do not tell for root or for ``/proc``.

    Raises
    ------
    ParameterError
        Naming the option, the path, what it is and the fix.
    """
    if path is None:
        return None
    if str(path).strip() == "":
        raise ParameterError(f"{option}: empty; give a folder, or leave the option out")
    target = path.expanduser()
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        what = "is a file" if existing == target else f"is under {existing}, which is a file"
        raise ParameterError(f"{option}: {str(path)!r} {what}, not a folder; give a folder")
    try:
        handle, probe = tempfile.mkstemp(prefix=".reviewkit-write-check-", dir=existing)
        os.close(handle)
        Path(probe).unlink()
    except OSError as exc:
        raise ParameterError(
            f"{option}: {str(path)!r} is not a folder reviewkit can write to "
            f"({exc.strerror or exc} in {existing}); give a writable folder"
        ) from None
    return path


def check_cadence(cadence: str) -> Cadence:
    """``cadence`` if it is a review cadence, else a one-line :class:`ParameterError`."""
    if cadence not in CADENCES:
        raise ParameterError(
            f"cadence: {cadence!r} is not a review cadence; use one of {', '.join(CADENCES)}"
        )
    return cast(Cadence, cadence)


def check_published_scope(scope: Scope | None) -> Scope | None:
    """``scope``, unless a value or its name holds contact data (it would be published).

    Raises
    ------
    ParameterError
        A segment value or name holding an e-mail address or phone number.
    """
    if scope is not None and any(has_contact_data(v) for v in (*scope.values, scope.name)):
        raise ParameterError(
            f"segment {redact_text(scope.text)!r}: a segment value or name holding an e-mail "
            "address or phone number would be published in the pack's folder, title and "
            "manifest; segment by a column that holds no contact details"
        )
    return scope


@dataclass(frozen=True)
class PackRequest:
    """A pack asked for, every value checked: what the planner, runner and review start from.

    Build it with :meth:`check` (from the values a user typed); the constructor checks the
    cadence and the language again, so no unchecked request exists.

    Parameters
    ----------
    workspace
        The workspace.
    cadence
        ``weekly``, ``monthly`` or ``quarterly`` (an analyst's template: its cadence).
    as_of
        The review date; the pack covers the last complete period before it.
    lang
        ``ja`` or ``en``.
    scope
        The segment the pack covers; ``None``: the whole company.
    template
        An analyst's template (its name); ``""``: the cadence's own.
    output_dir
        Where packs go; ``None``: the workspace's ``outputs/``.
    parameters
        Extra template parameters (checked against the template when the pack is planned).
    """

    workspace: Workspace
    cadence: Cadence
    as_of: dt.date
    lang: str
    scope: Scope | None = None
    template: str = ""
    output_dir: Path | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_cadence(self.cadence)
        check_lang(self.lang)
        object.__setattr__(self, "parameters", dict(self.parameters))

    @property
    def name(self) -> str:
        """The template's name, else the cadence: what ``reviewkit run`` was given."""
        return self.template or self.cadence

    @classmethod
    def check(
        cls,
        *,
        workspace: Workspace,
        cadence: str,
        as_of: str = "auto",
        lang: str = "",
        segment: str = "",
        segment_name: str = "",
        columns: Collection[str] | None = None,
        template: str = "",
        output_dir: str | Path | None = None,
        parameters: Mapping[str, Any] | None = None,
        option: str = "--segment",
        published: bool = True,
    ) -> PackRequest:
        """Check the values a user gave, in the order they are named, into a request.

        Parameters
        ----------
        workspace
            The workspace (its language is the default, its calendar gives today).
        cadence, as_of, lang, segment, segment_name
            As ``reviewkit run`` takes them (``as_of``: ``YYYY-MM-DD`` or ``auto``).
        columns
            The columns a segment may use (the definitions' dimensions); ``None``: any.
        template, output_dir, parameters
            Recorded as given (see the class).
        option
            The segment's name in messages: ``--segment`` (a run), ``segment`` (a notebook).
        published
            Refuse a segment holding contact data (it would name the pack's folder).

        Raises
        ------
        ParameterError
            Naming the first bad value and what is allowed.
        """
        checked = check_cadence(cadence)
        lang = check_lang(lang or workspace.config.lang)
        day = parse_as_of(as_of, today=workspace.today())
        scope = parse_scope(segment, name=segment_name, parameter=option, columns=columns)
        if published:
            check_published_scope(scope)
        return cls(
            workspace, checked, day, lang, scope, template,
            None if output_dir is None else Path(output_dir), dict(parameters or {}),
        )  # fmt: skip
