"""The weekly follow-up section for any company: the SLA pulse, or what can be shown without it.

- Without touches in the store (no activity export imported), nothing about first touches can
  be known: one line says what is missing and which import brings it.
- With touches and an SLA metric in the definitions: the pulse of :mod:`reviewkit.analysis.followup`
  (who is past the SLA and still waiting, by team when teams are recorded).
- With touches but no SLA metric, nobody can be called late. The section shows what is still
  honest: of the week's entrants into the stage follow-up starts from (the speed-to-lead
  metric's stage, else the first stage), how many a person has touched by the review date
  and the median time to that first touch, by team when teams are recorded; and one line on
  how to agree an SLA.
"""

from __future__ import annotations

import pandas as pd

from reviewkit.analysis.followup import FollowUpPulse, format_hours, team_name
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_count, format_pct, format_period
from reviewkit.i18n.texts import check_lang, t
from reviewkit.model.definitions import Definitions, SpeedToLeadMetric
from reviewkit.present.html import Html, missing_html
from reviewkit.present.sections.followup_pulse import follow_up_html, followup_paragraph
from reviewkit.present.tables import styled_table
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.availability import Availability

FIRST_TOUCH_COLUMNS = ["sales_team", "entered", "touched", "untouched", "median_hours"]


def follow_up_stage(definitions: Definitions) -> str:
    """The stage follow-up starts from: the SLA's, else speed to lead's, else the first stage."""
    if definitions.sla_metric is not None:
        return definitions.sla_metric.from_
    for metric in definitions.metrics:
        if isinstance(metric, SpeedToLeadMetric):
            return metric.from_
    return definitions.stage_keys[0]


def week_entrants(funnel: Funnel, *, week: Period, stage: str) -> pd.DataFrame:
    """The week's entrants into ``stage``, each with their sales team and first human touch.

    Returns
    -------
    pandas.DataFrame
        ``person_id``, ``sales_team`` (``None``: no team), ``touched`` (a person touched them
        by the cut-off) and ``hours`` (to that first touch; NaN when untouched).
    """
    frame = funnel.first_touches(stage, since=week.start)
    day = frame["entered_at"].dt.tz_localize(None).dt.normalize()
    frame = frame[(day >= pd.Timestamp(week.start)) & (day < pd.Timestamp(week.end))]
    teams = [None if pd.isna(v) else v for v in frame["sales_team"]]
    return pd.DataFrame(
        {
            "person_id": frame["person_id"].astype(object),
            "sales_team": pd.Series(teams, index=frame.index, dtype=object),
            "touched": frame["touched_at"].notna(),
            "hours": (frame["touched_at"] - frame["entered_at"]).dt.total_seconds() / 3600,
        }
    ).reset_index(drop=True)


def first_touch_by_team(people: pd.DataFrame) -> pd.DataFrame:
    """:func:`week_entrants` by sales team: :data:`FIRST_TOUCH_COLUMNS`, most untouched first.

    ``median_hours`` is over the team's touched entrants (NaN when none is); a team is
    ``None`` for the people without one.
    """
    work = people.assign(_team=people["sales_team"].map(lambda v: "\x00" if pd.isna(v) else v))
    grouped = work.groupby("_team", sort=False).agg(
        entered=("touched", "size"), touched=("touched", "sum"), median_hours=("hours", "median")
    )
    out = grouped.reset_index()
    teams = [None if v == "\x00" else v for v in out["_team"]]
    out["sales_team"] = pd.Series(teams, index=out.index, dtype=object)
    out = out.astype({"entered": "int64", "touched": "int64", "median_hours": "float64"})
    out["untouched"] = out["entered"] - out["touched"]
    out = out.assign(_none=out["sales_team"].isna(), _name=out["sales_team"].fillna(""))
    out = out.sort_values(["untouched", "_none", "_name"], ascending=[False, True, True])
    return out[FIRST_TOUCH_COLUMNS].reset_index(drop=True)


def first_touch_html(
    people: pd.DataFrame,
    *,
    stage_key: str,
    stage_label: str,
    period: str,
    lang: str,
) -> Html:
    """Render the first touch of the week's entrants, without an SLA (no heading).

    Parameters
    ----------
    people
        :func:`week_entrants`.
    stage_key, stage_label
        The stage follow-up starts from (its key for the SLA example, its label in ``lang``).
    period
        The week's name in ``lang``.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    Html
        A sentence (entrants, how many a person touched by the review date, the median hours
        to that touch), a table by team when teams are recorded, and how to agree an SLA.
    """
    check_lang(lang)
    hint = t("followup.first_touch.no_sla", lang, stage_key=stage_key)
    if people.empty:
        text = t("followup.first_touch.none", lang, stage=stage_label, period=period)
        return Html(
            followup_paragraph(text) + followup_paragraph(hint, css_class="rk-note"),
            text=f"{text}\n{hint}",
        )
    touched = int(people["touched"].sum())
    summary = t(
        "followup.first_touch.summary", lang, entered=format_count(len(people), lang=lang),
        stage=stage_label, period=period, touched=format_count(touched, lang=lang),
        share=format_pct(touched / len(people), lang=lang),
        median=format_hours(float(people["hours"].median()), lang=lang),
    )  # fmt: skip
    parts, texts = [followup_paragraph(summary)], [summary]
    if people["sales_team"].notna().any():
        table = _team_table(first_touch_by_team(people), stage_label=stage_label, lang=lang)
        parts.append(table.html)
        texts.append(table.text)
    parts.append(followup_paragraph(hint, css_class="rk-note"))
    texts.append(hint)
    return Html("".join(parts), text="\n".join(texts))


def _team_table(frame: pd.DataFrame, *, stage_label: str, lang: str) -> Html:
    share = frame["touched"] / frame["entered"].where(frame["entered"] > 0)
    shown = pd.DataFrame(
        {
            t("followup.col.team", lang): [team_name(v, lang=lang) for v in frame["sales_team"]],
            t("followup.first_touch.col.entered", lang, stage=stage_label): [
                format_count(v, lang=lang) for v in frame["entered"]
            ],
            t("followup.first_touch.col.touched", lang): [
                format_count(v, lang=lang) for v in frame["touched"]
            ],
            t("followup.first_touch.col.untouched", lang): [
                format_count(v, lang=lang) for v in frame["untouched"]
            ],
            t("followup.first_touch.col.share", lang): [format_pct(v, lang=lang) for v in share],
            t("followup.col.median", lang): [
                format_hours(v, lang=lang) for v in frame["median_hours"]
            ],
        }
    )
    classes = [["rk-label", *["rk-num"] * (shown.shape[1] - 1)]] * len(shown)
    return styled_table(shown, classes, css_class="rk-followup-teams", lang=lang)


def follow_up_section(
    funnel: Funnel,
    pulse: FollowUpPulse | None,
    *,
    week: Period,
    available: Availability,
    lang: str,
) -> Html:
    """The weekly follow-up section, from what the company has (see the module docstring).

    Parameters
    ----------
    funnel
        The semantic layer.
    pulse
        The SLA pulse (:func:`reviewkit.analysis.followup.follow_up_pulse`), ``None`` without an SLA
        metric or without touches.
    week
        The review week.
    available
        What optional data the store holds.
    lang
        ``ja`` or ``en``.
    """
    if not available.has("touches"):
        return missing_html("touches", lang=lang, what=t("followup.what", lang))
    if pulse is not None:
        return follow_up_html(pulse, lang=lang)
    definitions = funnel.definitions
    stage = follow_up_stage(definitions)
    return first_touch_html(
        week_entrants(funnel, week=week, stage=stage), stage_key=stage,
        stage_label=definitions.stage(stage).label(lang),
        period=format_period(week, lang=lang), lang=lang,
    )  # fmt: skip
