"""The files ``reviewkit init`` writes for a company's own data.

A starter workspace holds no sample data: the company's settings, a generic funnel to edit, empty
targets, actions and benchmarks (each with comments saying what goes there), a schedule of the
company's own packs, and the example import profiles. Every file passes ``reviewkit validate``
as written.
"""

from __future__ import annotations

import datetime as dt
import json

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def workspace_yml(
    *,
    company: str,
    lang: str,
    timezone: str,
    fiscal_year_start_month: int,
    currency: str,
    country: str,
    week_start: str = "monday",
) -> str:
    """``params/workspace.yml`` for the company."""
    month = MONTH_NAMES[fiscal_year_start_month - 1]
    return f"""\
# Workspace settings of one company. Every reviewkit command reads this file.
company:
  ja: {_quoted(company)}
  en: {_quoted(company)}
lang: {lang}                      # pack language by default: ja | en (override per run with --lang)
timezone: {timezone}    # periods and dates are counted in this IANA time zone
fiscal_year_start_month: {fiscal_year_start_month}    # {month}: the first month of a fiscal year
currency: {currency}                 # of every amount; imports hold back amounts in another
country: {country}                   # ISO 3166: its holidays and seasonal breaks shape pacing
week_start: {week_start}             # monday | sunday: the first day of a weekly review's week
store: data/reviewkit.duckdb  # relative to the workspace folder
outputs: outputs              # where packs and index.html are written
kernel: reviewkit             # the Jupyter kernel packs execute on (make setup registers it)
execution_timeout_seconds: 600
"""


def definitions_yml(*, currency: str, today: dt.date) -> str:
    """A starter ``params/definitions.yml``: lead -> opportunity -> won, revenue as the KGI."""
    return f"""\
# The funnel marketing and sales agree on. Every number in every pack is computed from this file,
# and every pack prints it (the glossary at the end). This is a starter: write YOUR funnel here
# (two stages or seven, with or without amounts), agree it with sales, then run
# `reviewkit validate`. docs/definitions.md explains every key; docs/own-data.md walks through it.
version: "1"
agreed_by: [marketing, sales]     # marketing | inside_sales | sales
agreed_on: {today.isoformat()}
currency: {currency}                     # the workspace's currency (params/workspace.yml)

# Stages in funnel order. A stage is entered at a stage event your imports record (`event:`;
# an import profile's `stages:` maps a date column of a file to a stage key), or when a rule
# over lead attributes holds (`rule:`, as the MQL example below).
stages:
  - key: lead
    label: {{ja: リード, en: Lead}}
    owner: marketing
    event: lead
    description:
      ja: MA または SFA に登録された見込み客（同一人物はシステムをまたいで 1 件に名寄せ）
      en: A prospect registered in the MA or the SFA (one person counted once across systems)
  # An MQL decided by a score rule (uncomment it, between lead and opportunity):
  # - key: mql
  #   label: {{ja: MQL, en: MQL}}
  #   owner: marketing
  #   rule: "score >= 60"          # over lead columns: score, channel, industry, region, ...
  #   at: first_held               # first_held (score history), created_at or stage:<key>
  #   description:
  #     ja: スコアが 60 以上になったリード
  #     en: A lead whose score reached 60
  # An MQL (or SQL, SAL) recorded by your MA or SFA: `event: mql` and map its date column in
  # the import profile (`stages: {{mql: Became an MQL Date}}`).
  - key: opportunity
    label: {{ja: 商談, en: Opportunity}}
    owner: sales
    event: opportunity
    description:
      ja: SFA に商談が作成されたリード
      en: A lead with an opportunity created in the SFA
  - key: won
    label: {{ja: 受注, en: Won}}
    owner: sales
    event: won
    description:
      ja: 商談が受注になったリード（受注日で計上）
      en: A lead whose opportunity was won (counted on the close date)

# Conversion between consecutive stages (lead_to_opportunity, opportunity_to_won) is defined
# for every pair; `metrics:` below may override any of them by key.
conversion:
  basis: cohort          # cohort: of those entering A in the period, the share reaching B within
  window: 90d            #   the window; period: entered B in the period / entered A in the period

# The goal. Revenue: the sum of the amounts of deals won in the period. Without amounts, count
# the deals won instead (the last stage's count is the KGI, and average_deal_size goes):
#   kgi:
#     key: won_count
#     label: {{ja: 受注件数, en: Deals won}}
#     owner: sales
#     description: {{ja: 期間内に受注した件数, en: Deals won in the period}}
kgi:
  key: revenue
  label: {{ja: 受注金額, en: Revenue won}}
  owner: sales
  description:
    ja: 期間内に受注した商談の金額合計
    en: Sum of the amounts of opportunities won in the period

metrics:
  - key: win_rate
    type: win_rate
    by: count
    label: {{ja: 受注率（件数）, en: Win rate (count)}}
  - key: average_deal_size
    type: average_deal_size
    label: {{ja: 平均受注単価, en: Average deal size}}
  - key: sales_cycle
    type: sales_cycle
    label: {{ja: 営業サイクル（中央値）, en: Sales cycle (median)}}
  # With campaign costs imported (a profile with record: campaigns):
  # - key: cost_per_lead
  #   type: cost_per
  #   stage: lead
  #   label: {{ja: リード単価, en: Cost per lead}}
  # With touches imported (record: activities), the follow-up promise:
  # - key: sla
  #   type: sla
  #   from: lead
  #   within: 24h
  #   label: {{ja: 24時間以内の初回接触率, en: First touch within 24 h}}
"""


TARGETS_YML = """\
# Targets per calendar month, for the whole company and per segment. Packs show each period's
# target, achievement and status from this file; without targets they show the figures alone.
#
# - Months are calendar months, written YYYY-MM. A quarter's target is the sum of its months.
# - Keys are the stage counts of params/definitions.yml (e.g. lead, opportunity, won) and the
#   KGI (revenue, in the workspace's currency). Write plain numbers; _ may group digits.
# - segments: targets for one value of a lead attribute (channel, sales_team, region, ...).
#
# proration: linear
# company:
#   2026-10: {lead: 400, opportunity: 60, won: 12, revenue: 1_200_000}
#   2026-11: {lead: 420, opportunity: 62, won: 13, revenue: 1_300_000}
# segments:
#   sales_team:
#     Team A:
#       2026-10: {won: 7, revenue: 700_000}
"""

ACTIONS_YML = """\
# Improvement actions decided in the reviews: what each aims to move, who owns it, by when.
# Every pack lists the open ones; the monthly pack measures each one past its start.
# Add them with `reviewkit action add --from-proposal ID` (a proposal of a monthly pack) or
# `reviewkit action add --title ... --family ... --kpi ... --owner ... --start ... --due ...`.
actions: []
"""

BENCHMARKS_YML = """\
# Published reference ranges, shown in the quarterly pack next to the company's own values.
# Benchmarks are context, never targets; only figures from a source someone can name go here.
# Each entry: key, label {ja, en}, metric (a rate or amount metric of params/definitions.yml),
# optional segment, low, high (rates as fractions), source {ja, en}, year, sample, caveat {ja, en}.
benchmarks: []
"""


def schedule_yml(*, lang: str) -> str:
    """``params/schedule.yml``: the company's weekly, monthly and quarterly packs."""
    return f"""\
# Which packs `reviewkit batch` builds before each meeting: every entry is
# cadences x segments x languages. Add an entry per team or region when you have them, e.g.
#   - name: teams
#     cadences: [weekly, monthly]
#     segments:
#       sales_team: [Team A, Team B]
packs:
  - name: company
    cadences: [weekly, monthly, quarterly]
    langs: [{lang}]
"""
