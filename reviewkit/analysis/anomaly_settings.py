"""The gates, thresholds and column sets of the weekly anomaly detectors."""

from __future__ import annotations

from dataclasses import dataclass

# The dimensions the sample company's packs were built around; a review tests its funnel's
# split dimensions (:attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`: every segment column
# with two or more known values), so a column that is all unknown or single-valued raises
# nothing.
DIMENSIONS = ("channel", "campaign_id", "content_asset", "sales_team", "industry", "company_size")


# Campaigns start and end by plan, and a channel's new campaign is not news: a new campaign
# is not compared with everyone (its channel's series carries any change).
NOT_COMPARED_WHEN_NEW = ("campaign_id",)


COUNT_DIMENSIONS = ("channel", "content_asset", "sales_team", "industry", "company_size")


SERIES_COLUMNS = ["kind", "measure", "dimension", "segment", "week", "start", "x", "n", "weight"]


ALERT_COLUMNS = [
    "kind", "measure", "dimension", "segment", "value", "normal", "low", "high", "n", "impact",
    "change", "z", "p", "q", "method", "baseline", "window", "since", "since_start", "weeks_off",
]  # fmt: skip


MAD_SCALE = 1.4826


INTERMITTENT = 0.5  # a count series with this share of empty baseline weeks is not tested


EXPLAINED_SHARE = 0.5  # an alert is explained by a segment if without it half its change goes


@dataclass(frozen=True)
class AnomalySettings:
    """Gates and thresholds of the weekly detectors (stated in every pack's glossary).

    Attributes
    ----------
    baseline_weeks
        Weeks before the reviewed week that make the normal.
    fdr
        Benjamini-Hochberg false discovery rate across all tested series of the week.
    min_expected
        Counts: a series is tested when its expected or actual count reaches this.
    min_count_change, min_relative_change
        Counts: an alert needs at least this many people and this share off normal.
    min_n
        Rates: entrants needed to test, per week of the window tested (a per-person rate
        such as the SLA: in the window; see :func:`detect`).
    min_baseline_n
        Rates: baseline entrants needed to use the series' own baseline (else everyone's).
    min_impact
        Rates: people gained or lost at the next stage against normal.
    new_weeks
        A segment first seen within this many weeks is new: compared with everyone.
    fisher_below
        Rates: Fisher's exact test when an expected cell count is below this.
    change_weeks
        How far back the change point may lie.
    recent_weeks
        Rates are also tested over this many recent weeks pooled (a shift that persists).
    """

    baseline_weeks: int = 26
    fdr: float = 0.05
    min_expected: float = 10.0
    min_count_change: float = 10.0
    min_relative_change: float = 0.25
    min_n: int = 20
    min_baseline_n: int = 60
    min_impact: float = 5.0
    new_weeks: int = 13
    fisher_below: float = 10.0
    change_weeks: int = 12
    recent_weeks: int = 4
