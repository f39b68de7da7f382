"""Fixtures of the analysis tests: the sample company's definitions, funnel, targets, and its
stage entries and wins recounted with plain pandas (the reference the analyses are checked on).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml
from builders import SAMPLE_CUTOFF, TZ, person_of, stage_hits

from reviewkit.model.definitions import load_definitions
from reviewkit.model.targets import load_targets
from reviewkit.semantic.funnel import Funnel


@pytest.fixture(scope="module")
def definitions(sample_workspace):
    return load_definitions(sample_workspace)


@pytest.fixture(scope="module")
def sample_funnel(sample_con, definitions):
    return Funnel(sample_con, definitions, timezone=TZ, cutoff=SAMPLE_CUTOFF)


@pytest.fixture(scope="module")
def sample_targets(sample_workspace, sample_con, definitions):
    return load_targets(sample_workspace, definitions=definitions, con=sample_con)


@pytest.fixture(scope="module")
def expected_inputs(sample_tables, sample_con, sample_workspace, definitions):
    leads = sample_tables["leads"]
    score_changes = sample_con.execute("SELECT * FROM score_changes").df()
    persons = person_of(leads)
    hits = pd.concat(
        [
            stage_hits(stage, sample_tables, score_changes).assign(stage=stage.key)
            for stage in definitions.stages
        ],
        ignore_index=True,
    )
    person = hits["lead_id"].map(persons).fillna("lead:" + hits["lead_id"].astype(object))
    first = hits.assign(person=person).groupby(["person", "stage"], as_index=False)["entered_at"]
    first = first.min()
    first["day"] = first["entered_at"].dt.tz_convert(TZ).dt.date
    opps = sample_tables["opportunities"]
    won = opps[opps["is_won"].astype("boolean").fillna(False).astype(bool)].copy()
    won = won[won["closed_at"] < pd.Timestamp(SAMPLE_CUTOFF)]
    won["day"] = won["closed_at"].dt.tz_convert(TZ).dt.date
    won["amount"] = won["amount"].astype(float)
    # targets as written in params/targets.yml (copied into the workspace by init_workspace)
    path = sample_workspace.params_dir / "targets.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["proration"] == "linear"
    monthly = {
        (dt.date.fromisoformat(f"{month}-01"), metric): float(value)
        for month, row in data["company"].items()
        for metric, value in row.items()
    }
    return first, won, monthly
