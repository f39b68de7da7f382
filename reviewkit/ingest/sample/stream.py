"""Write a big sample company (millions of leads) a chunk at a time, in bounded memory.

:func:`reviewkit.ingest.sample.company.generate` draws every lead of the company with one
random generator, so its tables for 10,000,000 leads would need about 24 GB. Above
:data:`STREAM_ABOVE` leads, :func:`write_streamed` makes the company as chunks of at most
:data:`CHUNK_LEADS` leads instead: each chunk is a whole sample company of its size (same
days, rates, shares and planted problems, its own seed drawn from the seed and the chunk's
number; the first chunk's is the seed itself), whose ids continue after the previous
chunk's, so together they are one company of the size asked for. Each chunk is appended
to the store, committed, and dropped before the next is made (one transaction would keep
every chunk's rows in DuckDB's memory until it commits: about 1.7 GB per million leads); an
interrupted write leaves part of the company, and ``reviewkit sample`` run again replaces it.

What is not additive is computed as a whole:

- ``lead_identity``: persons never span chunks (every lead's e-mail carries its global lead
  number), so each chunk's identities are resolved on their own (in a throw-away in-memory
  store, by :func:`reviewkit.ingest.identity.rebuild_identity_table`) and appended;
- ``targets``: from the monthly actuals of every chunk, added up
  (:func:`~reviewkit.ingest.sample.company_plans.monthly_actuals`);
- ``campaigns``: the sample's campaigns, costs scaled to the whole company.

Sizes up to :data:`STREAM_ABOVE` (the demo's 51,814 leads, every test's size and the 1M of
the benchmarks) are not streamed: their tables are exactly what they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.company import (
    IdStart,
    _volume,
    funnel_tables,
    load_spec,
    plan_tables,
)
from reviewkit.ingest.sample.company_plans import (
    MonthlyActuals,
    add_actuals,
    monthly_actuals,
    targets_of,
)

STREAM_ABOVE = 1_000_000  # more leads than this are made and written in chunks
CHUNK_LEADS = 500_000  # at most this many leads in memory at once (about 1.2 GB of frames)
STORE_MEMORY_MB = 1_536  # DuckDB's memory while writing them


def chunk_sizes(leads: int, *, chunk_leads: int = CHUNK_LEADS) -> list[int]:
    """Split ``leads`` into as few near-equal chunks of at most ``chunk_leads`` as it takes."""
    count = -(-leads // chunk_leads)
    return [leads // count + (1 if k < leads % count else 0) for k in range(count)]


def _identities(leads: pd.DataFrame, *, timezone: str) -> pd.DataFrame:
    """``lead_identity`` rows of one chunk's leads (resolved in a throw-away store)."""
    from reviewkit.ingest.identity import rebuild_identity_table
    from reviewkit.store.schema import connect, replace_tables

    scratch = connect(":memory:", timezone=timezone)
    try:
        replace_tables(scratch, {"leads": leads}, source="chunk", then=rebuild_identity_table)
        return scratch.execute("SELECT lead_id, person_id, rule FROM lead_identity").df()
    finally:
        scratch.close()


def sample_chunks(
    *, seed: int | None, leads: int, chunk_leads: int = CHUNK_LEADS
) -> Iterator[dict[str, pd.DataFrame]]:
    """The sample company's tables for ``leads`` leads, one chunk of rows at a time.

    Parameters
    ----------
    seed
        Random seed; defaults to the spec's seed. The same seed and size give the same rows.
    leads
        About how many leads in all (at least 1,000 per chunk).
    chunk_leads
        At most this many leads per chunk.

    Yields
    ------
    dict
        Table name -> rows of a chunk, ``lead_identity`` included; the last chunk is
        ``campaigns`` and ``targets``.
    """
    spec = load_spec()
    _volume(spec, leads)  # checks leads
    base = spec["seed"] if seed is None else seed
    ids = IdStart()
    actuals: MonthlyActuals = {}
    for k, size in enumerate(chunk_sizes(leads, chunk_leads=chunk_leads)):
        part_spec = load_spec()
        volume = _volume(part_spec, size)
        rng = np.random.default_rng(base if k == 0 else [base, k])  # one chunk: as generate()
        tables = funnel_tables(part_spec, volume, rng, ids=ids)
        leads_frame = tables["leads"]
        ma = int((leads_frame["source_system"] == "ma").sum())
        ids = replace(
            ids,
            lead=ids.lead + ma,
            sfa=ids.sfa + len(leads_frame) - ma,
            opportunity=ids.opportunity + len(tables["opportunities"]),
            activity=ids.activity + len(tables["activities"]),
        )
        actuals = add_actuals(
            actuals,
            monthly_actuals(
                tables["stage_events"],
                leads_frame,
                tables["opportunities"],
                tz=spec["timezone"],
            ),
        )
        tables["lead_identity"] = _identities(leads_frame, timezone=spec["timezone"])
        yield tables
        del tables, leads_frame
    plans = plan_tables(spec, {}, leads=leads, targets=False)
    plans["targets"] = targets_of(actuals, last=pd.Timestamp(spec["last_day"]))
    yield plans


def write_streamed(
    store_path: str, *, seed: int | None, leads: int, chunk_leads: int = CHUNK_LEADS
) -> dict[str, int]:
    """Replace the store's contents with a big sample company, written chunk by chunk.

    Parameters
    ----------
    store_path
        The DuckDB file to (re)fill; created if missing.
    seed
        Random seed; defaults to the spec's seed.
    leads
        About how many leads.
    chunk_leads
        At most this many leads in memory at once.

    Returns
    -------
    dict
        Rows written per table, plus ``persons`` and ``merged`` from identity matching.
    """
    from reviewkit.ingest.identity import identity_summary
    from reviewkit.store.schema import connect, replace_tables_in_chunks

    con = connect(store_path, timezone=load_spec()["timezone"])
    # DuckDB's buffer pool may grow to 80% of the machine's memory unless told otherwise
    con.execute(f"SET memory_limit = '{STORE_MEMORY_MB}MB'")
    try:
        counts = replace_tables_in_chunks(
            con,
            sample_chunks(seed=seed, leads=leads, chunk_leads=chunk_leads),
            source="reviewkit sample",
            commit_each=True,  # one transaction would hold every chunk in memory
        )
        identity = identity_summary(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    counts.pop("lead_identity", None)
    return {**counts, "persons": identity["persons"], "merged": identity["merged"]}
