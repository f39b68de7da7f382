"""A big sample company is written in chunks: same tables as one piece, bounded memory."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from reviewkit.ingest.sample.company import generate
from reviewkit.ingest.sample.company_plans import monthly_targets
from reviewkit.ingest.sample.stream import chunk_sizes, sample_chunks, write_streamed
from reviewkit.ingest.sample.write import write_sample

TABLES = ("leads", "stage_events", "score_changes", "opportunities", "activities", "lead_identity")


def _rows(path: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()


def test_chunk_sizes_are_near_equal_and_add_up() -> None:
    assert chunk_sizes(10_000_000) == [500_000] * 20
    sizes = chunk_sizes(1_200_001)
    assert sum(sizes) == 1_200_001 and max(sizes) <= 500_000 and max(sizes) - min(sizes) <= 1


def test_one_chunk_writes_the_same_store_as_one_piece(tmp_path: Path) -> None:
    whole, streamed = tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb"
    counts = write_sample(str(whole), leads=2_000)
    assert write_streamed(str(streamed), seed=None, leads=2_000, chunk_leads=5_000) == counts
    for table in (*TABLES, "campaigns", "targets"):
        pd.testing.assert_frame_equal(_rows(whole, table), _rows(streamed, table))


def test_chunks_make_one_company(tmp_path: Path) -> None:
    store = tmp_path / "big.duckdb"
    chunks = list(sample_chunks(seed=7, leads=3_000, chunk_leads=1_000))
    assert len(chunks) == 4  # three chunks of leads, then campaigns and targets
    counts = write_streamed(str(store), seed=7, leads=3_000, chunk_leads=1_000)
    leads = _rows(store, "leads")
    assert counts["leads"] == len(leads) == sum(len(c["leads"]) for c in chunks[:3])
    assert leads["lead_id"].is_unique and leads["email"].str.lower().str.strip().nunique() < len(
        leads
    )  # SFA duplicates of MA leads, within their chunk
    for table, key in (("opportunities", "opportunity_id"), ("activities", "activity_id")):
        assert _rows(store, table)[key].is_unique
    # identities resolved chunk by chunk are those of the whole store
    from reviewkit.ingest.identity import resolve_identities

    before = _rows(store, "lead_identity")
    with duckdb.connect(str(store)) as con:
        resolve_identities(con)
    pd.testing.assert_frame_equal(before, _rows(store, "lead_identity"))
    # the targets are those of all the chunks' rows together
    frames = {t: pd.concat([c[t] for c in chunks[:3]], ignore_index=True) for t in TABLES[:5]}
    expected = monthly_targets(
        frames["stage_events"],
        frames["leads"],
        frames["opportunities"],
        tz="Asia/Tokyo",
        last=pd.Timestamp(generate(leads=1_000).spec["last_day"]),
    )
    got = _rows(store, "targets").sort_values(["month", "metric", "segment_key", "segment_value"])
    expected["month"] = pd.to_datetime(expected["month"])
    expected = expected.sort_values(["month", "metric", "segment_key", "segment_value"])
    assert list(got["value"]) == list(expected["value"])


def test_same_seed_same_chunks() -> None:
    one = next(sample_chunks(seed=3, leads=2_000, chunk_leads=1_000))
    two = next(sample_chunks(seed=3, leads=2_000, chunk_leads=1_000))
    pd.testing.assert_frame_equal(one["leads"], two["leads"])


@pytest.mark.parametrize("bad", [999, 2.5])
def test_streamed_leads_are_checked(tmp_path: Path, bad: object) -> None:
    from reviewkit.errors import ParameterError

    with pytest.raises(ParameterError):
        next(sample_chunks(seed=None, leads=bad, chunk_leads=1_000))  # type: ignore[arg-type]
