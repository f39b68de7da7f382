"""``params/schedule.yml``: which packs ``reviewkit batch`` builds.

Each entry of ``packs`` is cadences x segments x languages::

    packs:
      - name: company
        cadences: [weekly, monthly, quarterly]
        langs: [ja, en]
      - name: teams
        cadences: [weekly, monthly]
        segments:
          sales_team: [Team A, Team B, Team C]     # one pack per value
      - name: channel-groups
        cadences: [monthly]
        segments:
          channel:                                 # one pack per named group of values
            paid: [paid_search, display]
            events: [webinar, exhibition]

An entry without ``segments`` builds the whole company's packs; ``langs`` defaults to the
workspace language; ``parameters`` passes template parameters (as ``-p NAME=VALUE`` does).
``cadences`` may also name templates of the workspace's own (``notebooks/NAME.ipynb``, see
:mod:`reviewkit.review.templates`), e.g. ``cadences: [monthly, account_review]``. Every job is named
``<cadence|template>/<company|segment folder>/<lang>`` (e.g. ``monthly/sales_team-team-b/ja``,
``account_review/company/ja``), the name ``--only`` patterns match.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from reviewkit.core.periods import CADENCES
from reviewkit.core.yaml_config import read_yaml, validate_model, where
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.texts import LANGS
from reviewkit.model.scope import Scope, parse_scope
from reviewkit.review.templates import template_names

SCHEDULE_FILE = "schedule.yml"
COMPANY = "company"


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _one_of(allowed: Sequence[str], what: str) -> Callable[[object], object]:
    """A validator: one value or a list, each in ``allowed``."""

    def check(value: object) -> object:
        values = _as_list(value)
        for v in values if isinstance(values, list) else []:
            if v not in allowed:
                raise ValueError(f"{v!r} is not {what}; use {', '.join(allowed)}")
        return values

    return check


Values = list[str] | dict[str, list[str]]


class Entry(BaseModel):
    """One entry of ``packs``: cadences (or templates) x segments x languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = ""
    # cadences or the workspace's templates: checked by load_schedule, which knows them
    cadences: Annotated[list[str], BeforeValidator(_as_list), Field(min_length=1)]
    langs: Annotated[list[str], BeforeValidator(_one_of(LANGS, "a pack language"))] = Field(
        default_factory=list
    )
    segments: dict[str, Annotated[Values, BeforeValidator(_as_list)]] = Field(default_factory=dict)
    parameters: dict[str, str | int | float | bool] = Field(default_factory=dict)


class ScheduleFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    packs: list[Entry] = Field(min_length=1)


@dataclass(frozen=True)
class Job:
    """One pack a batch builds."""

    cadence: str  # a cadence, or the name of a template of the workspace's
    lang: str
    scope: Scope | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    entry: str = ""

    @property
    def name(self) -> str:
        """``<cadence|template>/<company|segment folder>/<lang>``: what ``--only`` matches."""
        return f"{self.cadence}/{COMPANY if self.scope is None else self.scope.slug}/{self.lang}"

    @property
    def segment(self) -> str:
        """The ``--segment`` form (``""`` for the company)."""
        return "" if self.scope is None else self.scope.text

    @property
    def segment_name(self) -> str:
        """The group's name (``--segment-name``)."""
        return "" if self.scope is None else self.scope.name


def _scopes(
    entry: Entry, path: Path, lines: Any, index: int, columns: Collection[str] | None
) -> list[Scope | None]:
    """The entry's segments: one per value of a list, one per named group of a mapping."""
    if not entry.segments:
        return [None]
    scopes: list[Scope | None] = []
    for column, values in entry.segments.items():
        try:
            if isinstance(values, dict):
                for name, members in values.items():
                    scopes.append(
                        parse_scope(f"{column}={','.join(members)}", name=name, columns=columns)
                    )
                continue
            for value in values:
                if "," in value:
                    raise ParameterError(
                        f"{value!r} holds a comma; name a group of values instead "
                        f"({column}: {{name: [value, value]}})"
                    )
                scopes.append(parse_scope(f"{column}={value}", columns=columns))
        except ParameterError as exc:
            keys = ("packs", index, "segments", column)
            raise ConfigError(f"{where(path, lines, keys)}: {exc}") from None
    return scopes


def _check_cadences(
    entry: Entry, templates: Collection[str], path: Path, lines: Any, index: int
) -> None:
    """Each of the entry's ``cadences`` is a cadence or one of the workspace's templates."""
    for name in entry.cadences:
        if name in CADENCES or name in templates:
            continue
        found = ", ".join(sorted(templates)) or "none yet"
        raise ConfigError(
            f"{where(path, lines, ('packs', index, 'cadences'))}: {name!r} is not a cadence; "
            f"use {', '.join(CADENCES)}, or a template of notebooks/ ({found}; "
            "`reviewkit new-template NAME` creates one)"
        )


def _dimensions(path: Path) -> tuple[str, ...] | None:
    """The segment columns of the definitions beside ``path``; ``None``: the lead columns.

    A broken or missing definitions file is reported by whoever reads it; here it only means
    that no added dimension can be used.
    """
    from reviewkit.model.definitions import load_definitions

    try:
        return load_definitions(path.parent / "definitions.yml").dimensions
    except (ConfigError, OSError):
        return None


def load_schedule(
    path: Path,
    *,
    default_lang: str,
    templates: Collection[str] | None = None,
    dimensions: Collection[str] | None = None,
) -> list[Job]:
    """Read ``params/schedule.yml`` into the jobs it asks for, in file order.

    Parameters
    ----------
    path
        The schedule file.
    default_lang
        The language of entries without ``langs`` (the workspace's).
    templates
        The names of the workspace's templates ``cadences`` may list; default: those in the
        ``notebooks/`` folder beside ``params/``
        (:func:`reviewkit.review.templates.template_names`).
    dimensions
        The columns segments may use; default: those of the ``definitions.yml`` beside the
        schedule (the lead columns and the ones it adds).

    Raises
    ------
    ConfigError
        A missing or invalid file, an unknown cadence or template, language or segment
        column, or two jobs with the same name; the message names the file, line and key.
    """
    data, lines = read_yaml(path)
    schedule = validate_model(ScheduleFile, path, data, lines)
    if templates is None:
        templates = template_names(path.resolve().parent.parent)
    if dimensions is None:
        dimensions = _dimensions(path)
    jobs: list[Job] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(schedule.packs):
        _check_cadences(entry, templates, path, lines, index)
        for scope in _scopes(entry, path, lines, index, dimensions):
            for cadence in entry.cadences:
                for lang in entry.langs or [default_lang]:
                    job = Job(cadence, lang, scope, dict(entry.parameters), entry.name)
                    if job.name in seen:
                        raise ConfigError(
                            f"{where(path, lines, ('packs', index))}: {job.name} is already "
                            f"built by entry {seen[job.name] + 1}; remove one of them (two "
                            "segment values whose folder names collide count as the same)"
                        )
                    seen[job.name] = index
                    jobs.append(job)
    return jobs


def select(jobs: Sequence[Job], patterns: Sequence[str]) -> list[Job]:
    """The jobs whose name (or entry name) matches any of ``patterns`` (shell-style ``*``).

    Raises
    ------
    ParameterError
        When a pattern matches no job, naming some of the job names.
    """
    if not patterns:
        return list(jobs)
    chosen = []
    for pattern in patterns:
        hits = [j for j in jobs if fnmatch.fnmatchcase(j.name, pattern) or j.entry == pattern]
        if not hits:
            names = ", ".join(j.name for j in jobs[:6])
            raise ParameterError(
                f"--only {pattern!r} matches no pack of the schedule; names look like "
                f"{names}{', ...' if len(jobs) > 6 else ''} (use * as a wildcard)"
            )
        chosen += [j for j in hits if j not in chosen]
    return [j for j in jobs if j in chosen]
