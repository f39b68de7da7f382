"""Write the sample company into a store: at once, or in chunks above a million leads.

:func:`write_sample` generates the company (:mod:`reviewkit.ingest.sample.company`) and
replaces the store's tables with it; more than :data:`~reviewkit.ingest.sample.stream.STREAM_ABOVE`
leads are made and written in chunks (:mod:`reviewkit.ingest.sample.stream`), in bounded memory.
"""

from __future__ import annotations

from reviewkit.ingest.sample.company import _volume, generate, load_spec
from reviewkit.ingest.sample.stream import STREAM_ABOVE, write_streamed


def write_sample(
    store_path: str, *, seed: int | None = None, leads: int | None = None
) -> dict[str, int]:
    """Generate the sample company and replace the store's contents with it.

    Parameters
    ----------
    store_path
        The DuckDB file to (re)fill; created if missing.
    seed
        Random seed; defaults to the spec's seed.
    leads
        About how many leads (see :func:`generate`); ``None``: the default 50,000. More than
        1,000,000 are made and written in chunks, in bounded memory
        (:mod:`reviewkit.ingest.sample.stream`).

    Returns
    -------
    dict
        Rows written per table, plus ``persons`` and ``merged`` from identity matching.
    """
    from reviewkit.ingest.identity import identity_summary, rebuild_identity_table
    from reviewkit.store.schema import connect, replace_tables

    # _volume checks ``leads`` (a bad value: one line) before anything is made
    if leads is not None and _volume(load_spec(), leads) and leads > STREAM_ABOVE:
        return write_streamed(store_path, seed=seed, leads=leads)
    data = generate(seed=seed, leads=leads)
    con = connect(store_path, timezone=data.spec["timezone"])
    try:
        counts = replace_tables(
            con, data.tables, source="reviewkit sample", then=rebuild_identity_table
        )
        identity = identity_summary(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {**counts, "persons": identity["persons"], "merged": identity["merged"]}
