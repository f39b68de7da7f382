"""Stage dates that contradict each other across files or source systems.

Each file is checked on its own when it is imported (a lead whose SQL date comes before its MQL
date in the same row is quarantined). What no single file can show is a contradiction between
records of one person that came from different files or systems: the CRM's won deal closed before
the MA first saw the person, an opportunity created before its lead, an SQL date from the SFA
before the MQL date from the MA. Those rows are real data and stay loaded; this module finds the
contradictions so that the import command can warn and the pack's data-quality block can show
them.

Dates are compared by calendar day in the workspace time zone: a lead created at 10:00 and
converted the same day in a file that carries only dates is not a contradiction.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from reviewkit.model.definitions import Definitions, EventStage

__all__ = ["CONSISTENCY_COLUMNS", "EXAMPLES", "consistency_problems"]

#: How many example record ids each problem carries.
EXAMPLES = 3
#: The columns of :func:`consistency_problems`.
CONSISTENCY_COLUMNS = ["problem", "stage", "earlier", "count", "examples"]

_PERSONS = """
CREATE OR REPLACE TEMP TABLE _rk_people AS
SELECT l.lead_id, coalesce(i.person_id, l.lead_id) AS person_id,
       CAST(timezone($tz, l.created_at) AS DATE) AS day
FROM leads l LEFT JOIN lead_identity i USING (lead_id)
"""
_EVENTS = """
CREATE OR REPLACE TEMP TABLE _rk_events AS
SELECT e.lead_id, coalesce(i.person_id, e.lead_id) AS person_id, s.position,
       CAST(timezone($tz, e.entered_at) AS DATE) AS day
FROM stage_events e JOIN _rk_stage_order s ON s.event = e.stage
LEFT JOIN lead_identity i USING (lead_id)
"""
# the last stage entered before the person's first contact: the earliest creation of any of
# the person's records, or the earliest event of an earlier stage
_WON_EARLY = """
WITH first_contact AS (
    SELECT person_id, min(day) AS day FROM (
        SELECT person_id, day FROM _rk_people
        UNION ALL SELECT person_id, day FROM _rk_events WHERE position < $last
    ) GROUP BY 1
), won AS (
    SELECT person_id, min(day) AS day, min(lead_id) AS lead_id
    FROM _rk_events WHERE position = $last GROUP BY 1
)
SELECT w.lead_id AS example FROM won w JOIN first_contact f USING (person_id)
WHERE w.day < f.day ORDER BY 1
"""
_OPPORTUNITY_EARLY = """
WITH created AS (SELECT person_id, min(day) AS day FROM _rk_people GROUP BY 1)
SELECT o.opportunity_id AS example
FROM opportunities o JOIN lead_identity i ON i.lead_id = o.lead_id
JOIN created c ON c.person_id = i.person_id
WHERE CAST(timezone($tz, o.created_at) AS DATE) < c.day ORDER BY 1
"""
# a stage (not the last: that one is the check above) entered on a day before an earlier
# stage of the definitions, by the person's first entry into each
_OUT_OF_ORDER = """
WITH entries AS (
    SELECT person_id, position, min(day) AS day, min(lead_id) AS lead_id
    FROM _rk_events GROUP BY 1, 2
)
SELECT b.position, b.lead_id AS example, list(DISTINCT a.position) AS earlier
FROM entries b JOIN entries a ON a.person_id = b.person_id AND a.position < b.position
     AND a.day > b.day
WHERE b.position < $last
GROUP BY b.position, b.person_id, b.lead_id ORDER BY 1, 2
"""


def _examples(ids: pd.Series) -> list[str]:
    """Up to :data:`EXAMPLES` record ids, leaving out any that look like an e-mail address."""
    shown = [str(v) for v in ids if "@" not in str(v) and "＠" not in str(v)]
    return shown[:EXAMPLES]


def _stage_order(definitions: Definitions) -> pd.DataFrame:
    """The stage event names the store records, with each stage's position in the funnel."""
    rows = [
        (s.event if isinstance(s, EventStage) else s.key, s.key, i)
        for i, s in enumerate(definitions.stages)
    ]
    return pd.DataFrame(rows, columns=["event", "key", "position"]).drop_duplicates("event")


def consistency_problems(
    con: duckdb.DuckDBPyConnection, *, definitions: Definitions, timezone: str
) -> pd.DataFrame:
    """Find stage dates of one person that contradict each other across files or systems.

    Parameters
    ----------
    con
        A store connection (read-only is fine; a few temporary tables are made and dropped).
    definitions
        The agreed funnel: its stage order, and its last stage (what a won deal enters).
    timezone
        The workspace time zone: dates are compared by calendar day in it.

    Returns
    -------
    pandas.DataFrame
        One row per problem found (none when the data agree), columns
        :data:`CONSISTENCY_COLUMNS`:

        - ``problem``: ``last_stage_before_first_contact`` (the person entered the last stage,
          e.g. won, before their first contact: the earliest creation of any of their records or
          the earliest entry into an earlier stage), ``opportunity_before_lead`` (an opportunity
          created before the first record of its lead's person), or ``stage_out_of_order`` (a
          stage entered before an earlier stage of the definitions; one row per later stage);
        - ``stage``: the stage key concerned (``None`` for ``opportunity_before_lead``);
        - ``earlier``: for ``stage_out_of_order``, the earlier stages entered after it;
        - ``count``: people (opportunities for ``opportunity_before_lead``);
        - ``examples``: up to three record ids (lead ids; opportunity ids for
          ``opportunity_before_lead``), never an e-mail address.
    """
    order = _stage_order(definitions)
    keys = dict(zip(order["position"], order["key"], strict=True))
    last = len(definitions.stages) - 1
    rows: list[dict[str, object]] = []
    con.register("_rk_stage_order", order)
    try:
        con.execute(_PERSONS, {"tz": timezone})
        con.execute(_EVENTS, {"tz": timezone})
        won = con.execute(_WON_EARLY, {"last": last}).df()
        if len(won):
            rows.append(
                {"problem": "last_stage_before_first_contact", "stage": keys.get(last),
                 "earlier": [], "count": len(won), "examples": _examples(won["example"])}
            )  # fmt: skip
        opportunities = con.execute(_OPPORTUNITY_EARLY, {"tz": timezone}).df()
        if len(opportunities):
            rows.append(
                {"problem": "opportunity_before_lead", "stage": None, "earlier": [],
                 "count": len(opportunities), "examples": _examples(opportunities["example"])}
            )  # fmt: skip
        disorder = con.execute(_OUT_OF_ORDER, {"last": last}).df()
        for position, group in disorder.groupby("position", sort=True):
            earlier = sorted({int(p) for ps in group["earlier"] for p in ps})
            rows.append(
                {"problem": "stage_out_of_order", "stage": keys[int(position)],
                 "earlier": [keys[p] for p in earlier], "count": len(group),
                 "examples": _examples(group["example"])}
            )  # fmt: skip
    finally:
        con.execute("DROP TABLE IF EXISTS _rk_people")
        con.execute("DROP TABLE IF EXISTS _rk_events")
        con.unregister("_rk_stage_order")
    return pd.DataFrame(rows, columns=CONSISTENCY_COLUMNS)
