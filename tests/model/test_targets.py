"""Targets: params/targets.yml, roll-ups, proration (linear and seasonal), and its errors.

Every expected number is worked out by hand in the comment next to it.
"""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from reviewkit.core.periods import FiscalCalendar
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.ingest.sample.targets import sample_targets_yaml
from reviewkit.model.seasonality import day_class, period_day_weights, seasonal_day_weights
from reviewkit.model.targets import Targets, load_targets, period_targets
from reviewkit.store.schema import replace_tables

REPO = Path(__file__).resolve().parents[2]
D = dt.date
JP = FiscalCalendar()  # a Japanese company: its public holidays, Obon and year-end break
# load_targets only asks the definitions for their metrics' keys and types
DEFS = SimpleNamespace(
    metric_map={
        **{k: SimpleNamespace(type="count") for k in ["lead", "mql", "sql", "opportunity", "won"]},
        "revenue": SimpleNamespace(type="revenue"),
        "win_rate": SimpleNamespace(type="win_rate"),
    }
)

# Sep 300, Oct 310 leads; Jul 100, Aug 200; Team A has its own October; Nov for seasonal cases.
YAML = """\
# hand-made targets
proration: linear
company:
  2026-07: {lead: 100}
  2026-08: {lead: 200, revenue: 20_000_000}
  2026-09: {lead: 300, mql: 60, revenue: 3_000_000}
  2026-10: {lead: 310, mql: 62, revenue: 31_000_000}
  2026-11: {lead: 436}
segments:
  sales_team:
    Team A:
      2026-10: {lead: 31, revenue: 9_300_000}
  channel:
    paid_search:
      2026-10: {mql: 20.5}
"""


def write(tmp_path, text, name="targets.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def targets(tmp_path):
    return load_targets(write(tmp_path, YAML), definitions=DEFS)


# --- loading and the frame -----------------------------------------------------------------


def test_file_is_read_into_one_row_per_month_metric_and_segment(targets, tmp_path):
    assert targets.source == str(tmp_path / "targets.yml")
    assert targets.proration == "linear"
    f = targets.frame
    assert list(f.columns) == ["month", "metric", "segment_key", "segment_value", "value"]
    assert len(f) == 1 + 2 + 3 + 3 + 1 + 2 + 1  # 13 values in YAML
    assert all(type(m) is dt.date and m.day == 1 for m in f["month"])
    assert f["value"].dtype == "float64"
    row = f[(f["segment_key"] == "sales_team") & (f["metric"] == "revenue")].iloc[0]
    assert (row["month"], row["segment_value"], row["value"]) == (D(2026, 10, 1), "Team A", 9.3e6)
    assert set(f.loc[f["segment_key"] == "", "segment_value"]) == {""}


def test_month_value(targets):
    assert targets.month_value("lead", D(2026, 9, 1)) == 300
    assert targets.month_value("lead", D(2026, 9, 17)) == 300  # any day of the month
    assert targets.month_value("mql", D(2026, 7, 1)) is None
    assert targets.month_value("lead", D(2026, 10, 1), segment=("sales_team", "Team A")) == 31
    assert targets.month_value("mql", D(2026, 10, 1), segment=("channel", "paid_search")) == 20.5


# --- roll-ups and linear proration ---------------------------------------------------------


def test_week_straddling_two_months_is_prorated_by_calendar_days(targets):
    # Mon 2026-09-28 .. Sun 10-04: 3 of September's 30 days, 4 of October's 31 days
    got = targets.for_period("lead", D(2026, 9, 28), D(2026, 10, 5))
    assert got == pytest.approx(300 * 3 / 30 + 310 * 4 / 31)  # 30 + 40
    assert got == pytest.approx(70)
    # 3,000,000 x 3/30 + 31,000,000 x 4/31
    assert targets.for_period("revenue", D(2026, 9, 28), D(2026, 10, 5)) == pytest.approx(4.3e6)


def test_months_quarters_and_to_date_targets(targets):
    assert targets.for_period("lead", D(2026, 10, 1), D(2026, 11, 1)) == 310
    # FY2026-Q2 (Jul-Sep) sums its months: 100 + 200 + 300
    assert targets.for_period("lead", D(2026, 7, 1), D(2026, 10, 1)) == 600
    # July .. November: 100 + 200 + 300 + 310 + 436
    assert targets.for_period("lead", D(2026, 7, 1), D(2026, 12, 1)) == 1346
    # October to date on the 10th (1-10 Oct): 310 * 10/31
    assert targets.for_period("lead", D(2026, 10, 1), D(2026, 10, 11)) == pytest.approx(100)
    # one day
    assert targets.for_period("lead", D(2026, 11, 5), D(2026, 11, 6)) == pytest.approx(436 / 30)


def test_a_month_without_a_target_makes_the_period_none(targets):
    assert targets.for_period("mql", D(2026, 7, 1), D(2026, 10, 1)) is None  # no Jul, Aug
    assert targets.for_period("lead", D(2026, 11, 25), D(2026, 12, 2)) is None  # no December
    assert targets.for_period("lead", D(2026, 6, 30), D(2026, 7, 2)) is None  # one day of June
    assert targets.for_period("won", D(2026, 10, 1), D(2026, 11, 1)) is None  # no won at all
    assert targets.for_period("revenue", D(2026, 8, 1), D(2026, 11, 1)) == pytest.approx(54e6)


def test_segment_targets_are_separate_from_the_company(targets):
    team = ("sales_team", "Team A")
    assert targets.for_period("lead", D(2026, 10, 1), D(2026, 11, 1)) == 310  # not 310 + 31
    assert targets.for_period("lead", D(2026, 10, 1), D(2026, 11, 1), segment=team) == 31
    assert targets.for_period("lead", D(2026, 10, 5), D(2026, 10, 12), segment=team) == 7
    assert targets.for_period("lead", D(2026, 9, 1), D(2026, 10, 1), segment=team) is None
    assert targets.for_period("mql", D(2026, 10, 1), D(2026, 11, 1), segment=team) is None
    assert (
        targets.for_period("lead", D(2026, 10, 1), D(2026, 11, 1), segment=("sales_team", "B"))
        is None
    )
    paid = ("channel", "paid_search")
    assert targets.for_period("mql", D(2026, 10, 1), D(2026, 11, 1), segment=paid) == 20.5


def test_an_empty_period_is_an_error(targets):
    with pytest.raises(ParameterError, match="not after start"):
        targets.for_period("lead", D(2026, 10, 5), D(2026, 10, 5))


# --- seasonal proration --------------------------------------------------------------------

# History: the 21 days before 2026-11-01 (Sun 11 Oct .. Sat 31 Oct 2026). Mon 12 Oct is Sports
# Day (a public holiday). Mondays 19 and 26 Oct: 8 and 12 (mean 10); Tue-Fri 10; Sat 4; Sun 2;
# the holiday 1. Class means: Mon-Fri 10, Sat 4, Sun 2, holiday 1.
#
# November 2026 (30 days, the 1st a Sunday): holidays Tue 3 (Culture Day) and Mon 23 (Labour
# Thanksgiving); Sundays 1, 8, 15, 22, 29; Saturdays 7, 14, 21, 28; 19 other weekdays.
# Total weight 19 x 10 + 4 x 4 + 5 x 2 + 2 x 1 = 218.


def history():
    counts = {}
    for k in range(21):
        day = D(2026, 10, 11) + dt.timedelta(days=k)
        if day == D(2026, 10, 12):
            counts[day] = 1
        elif day.weekday() == 0:
            counts[day] = 8 if day.day == 19 else 12
        else:
            counts[day] = {5: 4, 6: 2}.get(day.weekday(), 10)
    return pd.Series(counts)


def test_day_classes():
    assert day_class(D(2026, 11, 3), calendar=JP) == "holiday"  # Culture Day, a Tuesday
    assert day_class(D(2026, 11, 4), calendar=JP) == "Wed"
    assert day_class(D(2026, 11, 8), calendar=JP) == "Sun"
    assert day_class(D(2026, 12, 28), calendar=JP) == "Mon"
    assert [day_class(D(2026, 12, d), calendar=JP) for d in (29, 30, 31)] == [
        "holiday"
    ] * 3  # year-end
    assert [day_class(D(2027, 1, d), calendar=JP) for d in (1, 2, 3, 4)] == ["holiday"] * 3 + [
        "Mon"
    ]


def test_seasonal_day_weights_by_hand():
    w = seasonal_day_weights(history(), month_start=D(2026, 11, 1), history_days=21, calendar=JP)
    assert list(w.index) == [D(2026, 11, d) for d in range(1, 31)]
    assert w.sum() == pytest.approx(1)
    assert w[D(2026, 11, 2)] == pytest.approx(10 / 218)  # Monday: mean of 8 and 12
    assert w[D(2026, 11, 3)] == pytest.approx(1 / 218)  # Culture Day
    assert w[D(2026, 11, 23)] == pytest.approx(1 / 218)  # Labour Thanksgiving (a Monday)
    assert w[D(2026, 11, 7)] == pytest.approx(4 / 218)  # Saturday
    assert w[D(2026, 11, 1)] == pytest.approx(2 / 218)  # Sunday


def test_seasonal_week_target_by_hand(tmp_path):
    targets = load_targets(
        write(tmp_path, "proration: seasonal\ncompany:\n  2026-11: {lead: 436}\n"),
        definitions=DEFS,
    )
    assert targets.proration == "seasonal"
    weights = seasonal_day_weights(
        history(), month_start=D(2026, 11, 1), history_days=21, calendar=JP
    )
    # Sun 1 .. Sat 7: 2 + 10 (Mon) + 1 (Culture Day) + 10 + 10 + 10 + 4 = 47 of 218
    week = (D(2026, 11, 1), D(2026, 11, 8))
    assert targets.for_period("lead", *week, day_weights=weights) == pytest.approx(436 * 47 / 218)
    assert targets.for_period("lead", *week) == pytest.approx(436 * 7 / 30)  # no weights: linear
    # Mon 16 .. Sun 22 (no holiday): 5 x 10 + 4 + 2 = 56 of 218
    got = targets.for_period("lead", D(2026, 11, 16), D(2026, 11, 23), day_weights=weights)
    assert got == pytest.approx(436 * 56 / 218)
    # the whole month is the whole target, whatever the weights
    assert targets.for_period("lead", D(2026, 11, 1), D(2026, 12, 1), day_weights=weights) == 436
    # period_day_weights gives the same weights for the month
    both = period_day_weights(history(), start=week[0], end=week[1], history_days=21, calendar=JP)
    pd.testing.assert_series_equal(both, weights)


def test_seasonal_week_straddling_months_with_hand_weights(tmp_path):
    targets = load_targets(
        write(tmp_path, YAML.replace("proration: linear", "proration: seasonal")), definitions=DEFS
    )
    # weekdays weigh 1, weekends 0 (need not sum to 1). September 2026 has 22 weekdays and
    # October 22; Mon 28 .. Sun 4 Oct holds Sep 28-30 (3) and Thu 1, Fri 2 Oct (2).
    days = pd.date_range("2026-09-01", "2026-10-31").date
    weights = pd.Series([1.0 if d.weekday() < 5 else 0.0 for d in days], index=days)
    got = targets.for_period("lead", D(2026, 9, 28), D(2026, 10, 5), day_weights=weights)
    assert got == pytest.approx(300 * 3 / 22 + 310 * 2 / 22)
    # a linear file ignores weights
    linear = load_targets(write(tmp_path, YAML, "linear.yml"), definitions=DEFS)
    got = linear.for_period("lead", D(2026, 9, 28), D(2026, 10, 5), day_weights=weights)
    assert got == pytest.approx(70)
    # weights for part of a partly covered month are an error
    with pytest.raises(ParameterError, match="cover 20 of the 30 days of 2026-09"):
        targets.for_period("lead", D(2026, 9, 28), D(2026, 10, 5), day_weights=weights[10:])
    with pytest.raises(ParameterError, match="weights must be 0 or more"):
        targets.for_period("lead", D(2026, 9, 28), D(2026, 10, 5), day_weights=weights - 1)


def test_seasonal_weights_edge_cases():
    nov = D(2026, 11, 1)
    uniform = seasonal_day_weights(pd.Series(dtype=float), month_start=nov, calendar=JP)
    assert len(uniform) == 30
    assert uniform.tolist() == pytest.approx([1 / 30] * 30)
    # only days with events: missing days (here every weekend) count as 0
    weekdays = history()[[d.weekday() < 5 for d in history().index]]
    w = seasonal_day_weights(weekdays, month_start=nov, history_days=21, calendar=JP)
    assert w[D(2026, 11, 7)] == 0 and w[D(2026, 11, 1)] == 0
    # 19 weekdays x 10 + 2 holidays x 1 = 192
    assert w[D(2026, 11, 2)] == pytest.approx(10 / 192)
    # history after the month does not count; a class unseen in history gets the overall mean
    later = pd.Series({D(2026, 12, 1): 100.0})
    assert seasonal_day_weights(later, month_start=nov, calendar=JP).tolist() == pytest.approx(
        [1 / 30] * 30
    )
    no_holiday = history().drop([D(2026, 10, 11), D(2026, 10, 12)])  # from Oct 13: no holiday
    w = seasonal_day_weights(no_holiday, month_start=nov, history_days=21, calendar=JP)
    overall = no_holiday[no_holiday.index >= D(2026, 10, 13)].mean()
    assert w[D(2026, 11, 3)] / w[D(2026, 11, 4)] == pytest.approx(overall / 10)
    with pytest.raises(ParameterError, match="first day of a month"):
        seasonal_day_weights(history(), month_start=D(2026, 11, 2), calendar=JP)


# --- errors: one line naming file:line, key path, bad value, what is allowed ---------------


ERRORS = {
    "unknown metric": (
        "company:\n  2026-04: {lead: 1, leads: 5}\n",
        2, "company.2026-04.leads", "'leads'", ["did you mean 'lead'", "lead, mql, sql"],
    ),
    "unknown segment key": (
        "segments:\n  team:\n    Team A:\n      2026-04: {sql: 5}\n",
        2, "segments.team", "'team'", ["channel, campaign_id", "sales_team"],
    ),
    "month not YYYY-MM": (
        "company:\n  2026-04: {lead: 1}\n  2026-5: {lead: 1}\n",
        3, "company.2026-5", "'2026-5'", ["write YYYY-MM (e.g. 2026-04)"],
    ),
    "a date for a month": (
        "company:\n  2026-04-01: {lead: 1}\n",
        2, "company.2026-04-01", "'2026-04-01'", ["write YYYY-MM"],
    ),
    "a quarter for a month": (
        "segments:\n  sales_team:\n    Team A:\n      FY2026-Q1: {sql: 1}\n",
        4, "segments.sales_team.Team A.FY2026-Q1", "'FY2026-Q1'", ["sums of months"],
    ),
    "month 13": (
        "company:\n  2026-13: {lead: 1}\n", 2, "company.2026-13", "'2026-13'", ["YYYY-MM"],
    ),
    "negative value": (
        "company:\n  2026-04:\n    lead: 10\n    mql: -5\n",
        4, "company.2026-04.mql", "(got -5)", ["0 or more"],
    ),
    "non-numeric value": (
        "company:\n  2026-04: {lead: many}\n",
        2, "company.2026-04.lead", "(got 'many')", ["plain number such as 1690"],
    ),
    "number as text": (
        "company:\n  2026-04: {lead: '1,690'}\n",
        2, "company.2026-04.lead", "(got '1,690')", ["write it as a plain number: 1690"],
    ),
    "missing value": (
        "company:\n  2026-04: {lead: }\n",
        2, "company.2026-04.lead", "(got None)", ["write a number", "remove the key"],
    ),
    "unknown proration": (
        "company: {}\nproration: weekly\n",
        2, "proration", "(got 'weekly')", ["use linear", "or seasonal"],
    ),
    "unknown top-level key": (
        "proration: linear\nsegment:\n  sales_team: {}\n",
        2, "segment", "'segment'", ["proration, company, segments"],
    ),
    "month given twice": (
        "company:\n  2026-04: {lead: 1}\n  2026-05: {lead: 1}\n  2026-04: {lead: 2}\n",
        4, "company.2026-04", "'2026-04'", ["first on line 2", "keep one"],
    ),
    "month not a mapping": (
        "company:\n  2026-04: 1690\n",
        2, "company.2026-04", "(got 1690)", ["must be a mapping", "{lead: 1690"],
    ),
    "empty segment value": (
        "segments:\n  sales_team:\n    '': {2026-04: {sql: 1}}\n",
        3, "segments.sales_team.", "(got '')", ["name it"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_every_error_is_one_line_naming_file_line_key_value_and_fix(tmp_path, case):
    text, line, keys, value, fixes = ERRORS[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_targets(path, definitions=DEFS)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: {keys}: "), message
    assert value in message, message
    for fix in fixes:
        assert fix in message, message


def test_errors_name_the_workspace_file(tmp_path):
    ws = SimpleNamespace(params_dir=tmp_path / "params")
    ws.params_dir.mkdir()
    write(ws.params_dir, "company:\n  2026-04: {lead: -1}\n")
    with pytest.raises(ConfigError, match=re.escape("params/targets.yml:2: company.2026-04.lead")):
        load_targets(ws, definitions=DEFS)


def test_empty_files_and_sections_are_no_targets(tmp_path):
    for text in ("# nothing yet\n", "company:\nsegments:\n  sales_team:\n"):
        targets = load_targets(write(tmp_path, text), definitions=DEFS)
        assert targets.is_empty and targets.proration == "linear"
        assert targets.for_period("lead", D(2026, 10, 1), D(2026, 11, 1)) is None


# --- where targets come from ---------------------------------------------------------------


def store_rows():
    return pd.DataFrame(
        [
            (D(2026, 9, 1), "lead", "", "", 300.0),
            (D(2026, 10, 1), "lead", "", "", 310.0),
            (D(2026, 10, 1), "lead", "sales_team", "Team A", 99.0),
        ],
        columns=["month", "metric", "segment_key", "segment_value", "value"],
    )


def test_without_a_file_the_store_table_is_used(con, tmp_path):
    replace_tables(con, {"targets": store_rows()}, source="test")
    targets = load_targets(tmp_path / "targets.yml", definitions=DEFS, con=con)
    assert (targets.source, targets.proration) == ("store", "linear")
    assert targets.for_period("lead", D(2026, 9, 28), D(2026, 10, 5)) == pytest.approx(70)
    assert targets.month_value("lead", D(2026, 10, 1), segment=("sales_team", "Team A")) == 99
    # the earlier API reads the store the same way
    got = period_targets(con, start=D(2026, 9, 28), end=D(2026, 10, 5), metrics=["lead", "mql"])
    assert got == {"lead": pytest.approx(70), "mql": None}
    # a file wins over the store
    write(tmp_path, "company:\n  2026-10: {lead: 1}\n")
    assert (
        load_targets(tmp_path / "targets.yml", definitions=DEFS, con=con).month_value(
            "lead", D(2026, 10, 1)
        )
        == 1
    )
    # no file and no store: no targets
    empty = load_targets(tmp_path / "none.yml", definitions=DEFS)
    assert empty.is_empty and empty.for_period("lead", D(2026, 10, 1), D(2026, 11, 1)) is None


def test_a_targets_frame_is_normalised():
    frame = store_rows().assign(month=["2026-09-01", pd.Timestamp("2026-10-01"), D(2026, 10, 15)])
    targets = Targets(frame, source="test")
    assert list(targets.frame["month"]) == [D(2026, 9, 1), D(2026, 10, 1), D(2026, 10, 1)]
    with pytest.raises(ParameterError, match="proration"):
        Targets(frame, proration="weekly")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="missing"):
        Targets(frame.drop(columns="value"))


# --- the sample company's committed file ---------------------------------------------------


@pytest.fixture(scope="module")
def sample_text():
    return sample_targets_yaml()


def test_committed_targets_file_is_the_generated_one(sample_text):
    committed = (REPO / "params" / "targets.yml").read_text(encoding="utf-8")
    assert committed == sample_text, (
        "params/targets.yml is stale; run "
        "`.venv/bin/python -m reviewkit.ingest.sample.targets > params/targets.yml`"
    )


def test_sample_file_loads_with_the_real_definitions_and_matches_the_sample_data(sample_text):
    from reviewkit.ingest.sample.company import generate
    from reviewkit.model.definitions import load_definitions

    definitions = load_definitions(REPO / "params" / "definitions.yml")
    targets = load_targets(REPO / "params" / "targets.yml", definitions=definitions)
    assert targets.proration == "linear"
    key = ["month", "metric", "segment_key", "segment_value"]
    expected = Targets(generate().tables["targets"]).frame.sort_values(key, ignore_index=True)
    got = targets.frame.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    company = got[got["segment_key"] == ""]
    assert company["month"].nunique() == 36
    assert company["month"].min() == D(2024, 4, 1) and company["month"].max() == D(2027, 3, 1)
    assert set(company["metric"]) == {*definitions.stage_keys, definitions.kgi.key}
    assert set(got.loc[got["segment_key"] != "", "segment_value"]) == {"Team A", "Team B", "Team C"}
    # FY2026 rolls up from its months
    fy = targets.for_period("revenue", D(2026, 4, 1), D(2027, 4, 1))
    months = company[(company["metric"] == "revenue") & (company["month"] >= D(2026, 4, 1))]
    assert fy == pytest.approx(months["value"].sum())


def test_targets_only_for_additive_metrics(tmp_path):
    text = YAML.replace("lead: 300", "lead: 300, win_rate: 0.3", 1)
    assert text != YAML
    with pytest.raises(ConfigError, match=r"unknown metric 'win_rate'.*add up over months"):
        load_targets(write(tmp_path, text), definitions=DEFS)
