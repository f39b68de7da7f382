"""The monthly template executed through papermill for every month of the sample's FY2025.

The sample company's last complete fiscal year runs from April 2025 to March 2026; each month
is reviewed on the 8th of the month after it, as a team would. Every run must finish, and its
pack must carry the gap, the three cause families and the checklist.
"""

import pytest
from builders import assert_clean_pack, run_template

pytestmark = pytest.mark.integration

# (as_of, the month it reviews): April 2025 on 2025-05-08 ... March 2026 on 2026-04-08
MONTHS = [
    ("2025-05-08", "2025-04"),
    ("2025-06-08", "2025-05"),
    ("2025-07-08", "2025-06"),
    ("2025-08-08", "2025-07"),
    ("2025-09-08", "2025-08"),
    ("2025-10-08", "2025-09"),
    ("2025-11-08", "2025-10"),
    ("2025-12-08", "2025-11"),
    ("2026-01-08", "2025-12"),
    ("2026-02-08", "2026-01"),
    ("2026-03-08", "2026-02"),
    ("2026-04-08", "2026-03"),
]
SECTIONS = ("gap", "cause_target", "cause_content", "cause_follow_up", "checklist")


def test_the_months_are_the_fiscal_year():
    assert MONTHS[0] == ("2025-05-08", "2025-04")
    assert MONTHS[-1] == ("2026-04-08", "2026-03")
    assert len({month for _, month in MONTHS}) == 12


@pytest.mark.parametrize(("as_of", "month"), MONTHS, ids=[m for _, m in MONTHS])
def test_monthly_template_runs_for_every_month_of_fy2025(
    sample_workspace, tmp_path, as_of: str, month: str
) -> None:
    result = run_template("monthly", sample_workspace, tmp_path, as_of)
    assert result.period == month
    assert_clean_pack(result, SECTIONS)
