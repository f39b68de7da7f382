"""The zoo's companies by name: their specs, ground truths and generated tables."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml

from reviewkit.core.resources import package_file
from reviewkit.errors import ParameterError

COMPANIES: tuple[str, ...] = ("sample", "brazil", "usa", "germany")


@dataclass(frozen=True)
class ZooCompany:
    """One generated zoo company.

    Attributes
    ----------
    name
        Its key (one of :data:`COMPANIES`).
    tables
        The store's tables, exactly as :func:`reviewkit.store.schema.replace_tables` takes them
        (``leads``, ``stage_events``, ``score_changes``, ``opportunities``, ``activities``,
        ``campaigns``, ``targets``); a table the company has no data for is empty.
    spec
        How it was generated (``spec.yml``): country, time zone, currency, calendar, volumes.
    truth
        Its ground truth (``truth.yml``): review dates, planted problems, data flaws, what
        each template must find.
    """

    name: str
    tables: dict[str, pd.DataFrame]
    spec: dict[str, Any]
    truth: dict[str, Any]


def check_name(name: str) -> str:
    """Return ``name`` if it is a zoo company, else raise a one-line :class:`ParameterError`."""
    if name not in COMPANIES:
        raise ParameterError(
            f"company: {name!r} is not a zoo company; use one of {', '.join(COMPANIES)}"
        )
    return name


def _read(name: str, file: str) -> dict[str, Any]:
    with package_file("ingest", "sample", "zoo", name, file).open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def load_spec(name: str) -> dict[str, Any]:
    """The company's ``spec.yml`` (the sample's: ``sample_company.yml`` with its calendar)."""
    spec = _read(check_name(name), "spec.yml")
    if name == "sample":
        from reviewkit.ingest.sample.company import load_spec as sample_spec

        spec = {**sample_spec(), **spec}
    return spec


def load_truth(name: str) -> dict[str, Any]:
    """The company's ground truth (the sample's planted problems from ``sample_company.yml``)."""
    truth = _read(check_name(name), "truth.yml")
    if name == "sample":
        from reviewkit.ingest.sample.company import load_spec as sample_spec

        original = sample_spec()
        for key in ("planted_problems", "planted_improvements", "flaws"):
            truth[key] = original[key]
        for key, (stage_from, stage_to) in truth.pop("problem_stages").items():
            truth["planted_problems"][key].update(stage_from=stage_from, stage_to=stage_to)
    return truth


def generate(name: str, *, seed: int | None = None) -> ZooCompany:
    """Generate a zoo company's tables.

    Parameters
    ----------
    name
        ``sample``, ``brazil``, ``usa`` or ``germany``.
    seed
        Random seed; default: the spec's. The same seed gives identical tables. With another
        seed the planted problems are the same, but the truth's recorded ``scorecard``
        (figures of the spec's seed) is left out: compute it with
        :func:`reviewkit.ingest.sample.zoo.scorecard_truth`.

    Returns
    -------
    ZooCompany

    Raises
    ------
    ParameterError
        If ``name`` is not a zoo company.
    """
    spec = load_spec(name)
    truth = load_truth(name)
    if seed is not None and seed != spec["seed"]:  # the recorded figures are the spec seed's
        truth.pop("scorecard", None)
    if name == "sample":
        from reviewkit.ingest.sample.company import generate as sample_generate

        tables = sample_generate(seed=seed).tables
    else:
        module = importlib.import_module(f"reviewkit.ingest.sample.zoo.{name}.tables")
        tables = module.generate(spec, truth, spec["seed"] if seed is None else seed)
    return ZooCompany(name=name, tables=tables, spec=spec, truth=truth)
