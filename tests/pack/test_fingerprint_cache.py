"""A batch's data hashes (one grouped query per segment column) equal each pack's own query."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from builders import CUTOFF, tiny_definitions, tiny_store

from reviewkit.model.scope import Scope, parse_scope
from reviewkit.pack.fingerprint import DataHashes, data_hash
from reviewkit.pack.plan import SharedInputs, plan_pack


def _values(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    rows = con.execute(
        f'SELECT DISTINCT "{column}" FROM leads WHERE "{column}" IS NOT NULL ORDER BY 1'
    ).fetchall()
    return [str(v) for (v,) in rows]


def _scopes(con: duckdb.DuckDBPyConnection, column: str) -> list[Scope | None]:
    values = _values(con, column)
    groups = [Scope(column, tuple(values[:2]), name="pair")] if len(values) > 1 else []
    return [None, *(Scope(column, (v,)) for v in values), *groups]


@pytest.mark.parametrize("column", ["sales_team", "channel", "region", "company_size"])
def test_the_batch_hash_is_the_packs_hash_on_the_sample(sample_con, column):
    cutoff = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    hashes = DataHashes(sample_con)
    for scope in _scopes(sample_con, column):
        assert hashes.data_hash(cutoff=cutoff, scope=scope) == data_hash(
            sample_con, cutoff=cutoff, scope=scope
        ), scope


def test_a_changed_row_changes_only_its_segments_hashes(con):
    tiny_store(con)
    scopes = _scopes(con, "channel")
    before = DataHashes(con)
    old = {s: before.data_hash(cutoff=CUTOFF, scope=s) for s in scopes}
    assert len(set(old.values())) == len(old)
    # one referral person's row changes before the cut-off: the referral packs re-plan as
    # changed, the company's too; every other channel's pack stays as it was
    con.execute(
        "UPDATE stage_events SET source_system = 'edited' WHERE stage = 'mql' AND lead_id = "
        "(SELECT min(lead_id) FROM leads WHERE channel = 'referral')"
    )
    after = DataHashes(con)  # the next batch
    new = {s: after.data_hash(cutoff=CUTOFF, scope=s) for s in scopes}
    changed = {s for s in scopes if new[s] != old[s]}
    assert None in changed
    for scope in scopes:
        if scope is not None:
            assert (scope in changed) == ("referral" in scope.values), scope
    for scope in scopes:  # and the same as each pack's own query
        assert new[scope] == data_hash(con, cutoff=CUTOFF, scope=scope)


def test_a_dimension_of_the_definitions_is_hashed_alike(con):
    tiny_store(con)
    definitions = tiny_definitions()
    hashes = DataHashes(con)
    for scope in (None, parse_scope("channel=referral"), parse_scope("channel=referral,webinar")):
        assert hashes.data_hash(cutoff=CUTOFF, scope=scope, definitions=definitions) == (
            data_hash(con, cutoff=CUTOFF, scope=scope, definitions=definitions)
        )


def test_a_batch_plans_the_same_digests_as_single_packs(sample_workspace):
    shared = SharedInputs.load(sample_workspace)
    try:
        for cadence, segment in (("weekly", ""), ("monthly", "sales_team=Team B"),
                                 ("weekly", "channel=referral,webinar")):  # fmt: skip
            alone = plan_pack(cadence, as_of="2026-11-23", workspace=sample_workspace,
                              segment=segment)  # fmt: skip
            batched = plan_pack(cadence, as_of="2026-11-23", workspace=sample_workspace,
                                segment=segment, shared=shared)  # fmt: skip
            assert batched.inputs == alone.inputs
            assert batched.digest == alone.digest
    finally:
        shared.close()
