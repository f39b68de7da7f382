"""What optional data a company's store holds, so that every section can say what it lacks.

A real company may have no deal amounts (a count KGI), no campaign costs, no touch history, no
sales teams, no lost deals or only one source system. Sections ask :class:`Availability`
before they compute, and a section whose data is missing shows one line saying what is missing
and which import brings it (:data:`IMPORT_HINTS`, worded in ``texts_missing``) instead of a
table of zeros or an "OK" without evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import duckdb

Missing = Literal[
    "amounts", "campaign_costs", "touches", "teams", "opportunities", "closed_deals",
    "lost_deals", "second_source", "score_history",
]  # fmt: skip

_FACTS = """
SELECT
    (SELECT count(*) FROM opportunities WHERE amount IS NOT NULL AND amount <> 0) AS amounts,
    (SELECT count(*) FROM campaigns WHERE cost > 0) AS campaign_costs,
    (SELECT count(*) FROM activities WHERE is_human) AS touches,
    (SELECT count(*) FROM leads WHERE sales_team IS NOT NULL)
      + (SELECT count(*) FROM opportunities WHERE sales_team IS NOT NULL) AS teams,
    (SELECT count(*) FROM opportunities) AS opportunities,
    (SELECT count(*) FROM opportunities WHERE is_won IS NOT NULL) AS closed_deals,
    (SELECT count(*) FROM opportunities WHERE is_won = false) AS lost_deals,
    (SELECT count(*) FROM score_changes) AS score_history
"""


@dataclass(frozen=True)
class Availability:
    """Counts of the optional data in the store (0: the company has none of it).

    Build it with :func:`availability`; ``has(what)`` answers for one kind of data.
    """

    amounts: int = 0
    campaign_costs: int = 0
    touches: int = 0
    teams: int = 0
    opportunities: int = 0
    closed_deals: int = 0
    lost_deals: int = 0
    score_history: int = 0
    sources: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def has(self, what: Missing) -> bool:
        """Whether the store holds data of kind ``what``."""
        if what == "second_source":
            return len(self.sources) > 1
        return bool(getattr(self, what))

    def missing(self, *kinds: Missing) -> list[Missing]:
        """The kinds among ``kinds`` the store lacks, in the order given."""
        return [k for k in kinds if not self.has(k)]


def availability(con: duckdb.DuckDBPyConnection) -> Availability:
    """What optional data the store holds (one query; a fraction of a second).

    Parameters
    ----------
    con
        A store connection (read-only is fine).

    Returns
    -------
    Availability
    """
    rows = con.execute(_FACTS).fetchall()
    row = rows[0] if rows else None
    names = ("amounts", "campaign_costs", "touches", "teams", "opportunities", "closed_deals",
             "lost_deals", "score_history")  # fmt: skip
    facts = dict(zip(names, (int(v or 0) for v in row or ()), strict=True))
    sources = tuple(
        str(r[0])
        for r in con.execute(
            "SELECT source_system FROM leads UNION SELECT source_system FROM opportunities "
            "ORDER BY 1"
        ).fetchall()
    )
    return Availability(**facts, sources=sources, counts=dict(facts))
