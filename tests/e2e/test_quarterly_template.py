"""The quarterly template executed through papermill for every quarter of the sample company.

The sample's data start on 2024-04-01 (FY2024-Q1) and its last complete quarter is FY2026-Q2;
each quarter is reviewed on the 8th of the month after it, as a team would. The first quarters
have no previous quarter, no year before them and few months of history: every run must still
finish, and its pack must carry every section, with the draft targets file next to it whenever
the next quarter has a KGI target.
"""

import json

import pytest
from builders import assert_clean_pack, run_template

from reviewkit.errors import ParameterError
from reviewkit.pack.parameters import parse_parameters

pytestmark = pytest.mark.integration

# (as_of, the quarter it reviews)
QUARTERS = [
    ("2024-07-08", "FY2024-Q1"),
    ("2024-10-08", "FY2024-Q2"),
    ("2025-01-08", "FY2024-Q3"),
    ("2025-04-08", "FY2024-Q4"),
    ("2025-07-08", "FY2025-Q1"),
    ("2025-10-08", "FY2025-Q2"),
    ("2026-01-08", "FY2025-Q3"),
    ("2026-04-08", "FY2025-Q4"),
    ("2026-07-08", "FY2026-Q1"),
    ("2026-10-08", "FY2026-Q2"),
]
SECTIONS = ("trends", "benchmarks", "relevance", "what_if", "plan", "actions_review")


def test_the_quarters_are_every_complete_quarter_of_the_sample():
    assert QUARTERS[0][1] == "FY2024-Q1"
    assert QUARTERS[-1][1] == "FY2026-Q2"
    assert len({q for _, q in QUARTERS}) == 10


@pytest.mark.parametrize(("as_of", "quarter"), QUARTERS, ids=[q for _, q in QUARTERS])
def test_quarterly_template_runs_for_every_quarter(
    sample_workspace, tmp_path, as_of: str, quarter: str
) -> None:
    result = run_template("quarterly", sample_workspace, tmp_path, as_of)
    assert result.period == quarter
    assert_clean_pack(result, SECTIONS)
    # The sample's targets run to 2026-12: every next quarter has a KGI target, so every
    # pack writes its draft next to itself and lists it in the manifest.
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    drafts = [name for name in manifest["files"] if name.startswith("targets-draft-")]
    assert len(drafts) == 1, manifest["files"]
    assert (result.directory / drafts[0]).is_file()


def test_a_proposed_rule_and_kgi_target_reach_the_pack(sample_workspace, tmp_path) -> None:
    result = run_template(
        "quarterly", sample_workspace, tmp_path, "2026-10-08", what_if_rule="score >= 75",
        next_kgi_target=600_000_000,
    )  # fmt: skip
    html = result.pack.read_text(encoding="utf-8")
    assert "score &gt;= 75" in html
    assert "¥600.0M" in html


def test_command_line_parameters_are_read_as_yaml_scalars():
    assert parse_parameters(["what_if_rule=score >= 70", "next_kgi_target=600000000"]) == {
        "what_if_rule": "score >= 70",
        "next_kgi_target": 600000000,
    }
    assert parse_parameters(["what_if_rule="]) == {"what_if_rule": ""}
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_parameters(["score >= 70"])
    with pytest.raises(ParameterError, match="not a single value"):
        parse_parameters(["what_if_rule=[1, 2]"])


def test_parameters_the_funnel_cannot_take_fail_in_one_line_before_the_kernel(tmp_path) -> None:
    from builders import one_line, run_cli

    from reviewkit.ingest.sample import zoo

    usa = tmp_path / "usa"  # lead -> opportunity -> won, every stage an event
    zoo.write_workspace("usa", usa)
    common = ["run", "quarterly", "--workspace", str(usa), "--as-of", "2026-11-17"]
    result = run_cli(*common, "-p", "what_if_rule=score >= 70")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("reviewkit: error: what_if_rule: 'score >= 70' has no stage to be ")
    assert "every stage is an event from the source systems (lead -> opportunity -> won)" in line
    brazil = tmp_path / "brazil"  # a count KGI: a target of 180.5 customers is no target
    zoo.write_workspace("brazil", brazil)
    result = run_cli("run", "quarterly", "--workspace", str(brazil), "--as-of", "2026-07-13",
                     "-p", "next_kgi_target=180.5")  # fmt: skip
    assert result.returncode == 2
    assert "next_kgi_target: 180.5 is not a whole number" in one_line(result.stderr)
    assert not list(tmp_path.rglob("notebook.ipynb"))  # no kernel ran
