"""Stage SQL: who entered a stage and when, from stage events or a rule over lead attributes.

:class:`reviewkit.semantic.tables.FunnelTables` builds its entries table from
:func:`stage_sql`; :meth:`reviewkit.semantic.funnel.Funnel.rule_entries` evaluates other rules
on the rows of :func:`rule_source`.
"""

from __future__ import annotations

from reviewkit.model.definitions import RULE_COLUMNS, EventStage, RuleStage
from reviewkit.model.rules import compile_rule


def stage_sql(stage: EventStage | RuleStage, *, entries: str) -> str:
    """SQL selecting (lead_or_person_id, entered_at) for one stage, before first-entry."""
    key = stage.key.replace("'", "''")
    if isinstance(stage, EventStage):
        event = stage.event.replace("'", "''")
        return (
            f"SELECT coalesce(i.person_id, e.lead_id) AS person_id, '{key}' AS stage, "
            f"e.entered_at FROM stage_events e LEFT JOIN lead_identity i USING (lead_id) "
            f"WHERE e.stage = '{event}'"
        )
    condition = compile_rule(stage.rule, columns=RULE_COLUMNS)
    source, entered = rule_source(stage, entries=entries)
    distinct = "DISTINCT " if stage.at not in ("first_held", "created_at") else ""
    return (
        f"SELECT {distinct}coalesce(i.person_id, x.lead_id) AS person_id, '{key}' AS stage, "
        f"{entered} AS entered_at FROM {source} WHERE {condition}"
    )


def rule_source(stage: RuleStage, *, entries: str) -> tuple[str, str]:
    """The rows a rule stage's rule is evaluated on, and when each row would enter.

    Lead ``x`` and identity ``i``: every score change (``first_held``), the lead's
    creation (``created_at``) or the person's entry into the stage it follows (in table
    ``entries``).
    """
    if stage.at == "first_held":
        history = (
            "SELECT lead_id, changed_at, score FROM score_changes UNION ALL "
            "SELECT lead_id, created_at, score FROM leads "
            "WHERE lead_id NOT IN (SELECT lead_id FROM score_changes)"
        )
        return (
            f"(SELECT l.* REPLACE (h.score AS score), h.changed_at AS rk_at FROM leads l "
            f"JOIN ({history}) h USING (lead_id)) x LEFT JOIN lead_identity i USING (lead_id)",
            "x.rk_at",
        )
    if stage.at == "created_at":
        return "leads x LEFT JOIN lead_identity i USING (lead_id)", "x.created_at"
    other = (stage.after_stage or "").replace("'", "''")
    return (
        f"leads x LEFT JOIN lead_identity i USING (lead_id) JOIN {entries} o "
        f"ON o.person_id = coalesce(i.person_id, x.lead_id) AND o.stage = '{other}'",
        "o.entered_at",
    )
