"""Properties and hand-worked cases of :mod:`reviewkit.analysis.attribution`.

Shapley splits are checked against an independent brute force over every order of the drivers;
mix/rate splits and KPI-tree splits against the whole change they must add up to, and against
numbers worked out by hand (in the comments) from the formulas in
``shared/reference/kpi-methods.md`` (Shapley, KPI tree) and in :func:`mix_rate`'s docstring (its
mix effect is centred on the average rate, see the mix_rate section). Every Hypothesis test is
derandomized so a CI run is reproducible.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewkit.analysis.attribution import (
    MIX_COLUMNS,
    TREE_COLUMNS,
    mix_rate,
    overall_rate,
    shapley,
    tree_attribution,
    tree_values,
)
from reviewkit.model.definitions import Definitions, load_definitions

DEFINITIONS_PATH = Path(__file__).resolve().parents[2] / "params" / "definitions.yml"
TREE = [
    "lead",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "average_deal_size",
]
STAGES = ["lead", "mql", "sql", "opportunity", "won"]

FAST = settings(max_examples=80, deadline=None, derandomize=True)
SLOW = settings(max_examples=40, deadline=None, derandomize=True)


@functools.cache
def project_definitions() -> Definitions:
    defs = load_definitions(DEFINITIONS_PATH)
    # the tests below are written against this tree; fail loudly if the file changes under them
    assert list(defs.tree) == TREE
    assert [s.key for s in defs.stages] == STAGES
    assert defs.kgi.key == "revenue"
    return defs


# --------------------------------------------------------------------------------------------
# shapley
# --------------------------------------------------------------------------------------------

# zeros, tiny, huge: values spanning nine orders of magnitude
magnitudes = st.one_of(
    st.just(0.0),
    st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=10_000).map(float),
)
signed = st.one_of(magnitudes, magnitudes.map(lambda v: -v))


@st.composite
def drivers(
    draw: st.DrawFn, values: st.SearchStrategy[float] = magnitudes, min_n: int = 1, max_n: int = 6
) -> tuple[dict[str, float], dict[str, float]]:
    n = draw(st.integers(min_value=min_n, max_value=max_n))
    keys = [f"d{i}" for i in range(n)]
    before = {k: draw(values) for k in keys}
    after = {k: draw(values) for k in keys}
    return before, after


def product_scale(before: Mapping[str, float], after: Mapping[str, float]) -> float:
    """The largest |KGI| any mix of before/after values can reach: rounding is relative to it."""
    return math.prod(max(abs(before[k]), abs(after[k])) for k in before)


def close(x: float, y: float, scale: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9 * scale)


def brute_force_shapley(
    before: Mapping[str, float],
    after: Mapping[str, float],
    combine: Callable[[Sequence[float]], float] = math.prod,
) -> dict[str, float]:
    """Average marginal contribution over every order in which the drivers can move."""
    keys = list(before)
    totals = dict.fromkeys(keys, 0.0)
    orders = list(itertools.permutations(keys))
    for order in orders:
        current = dict(before)
        previous = combine([current[k] for k in keys])
        for key in order:
            current[key] = after[key]
            value = combine([current[k] for k in keys])
            totals[key] += value - previous
            previous = value
    return {k: v / len(orders) for k, v in totals.items()}


@FAST
@given(drivers())
def test_shapley_parts_sum_to_the_change(pair: tuple[dict, dict]) -> None:
    before, after = pair
    parts = shapley(before, after)
    assert list(parts) == list(before)
    assert all(math.isfinite(p) for p in parts.values())
    change = math.prod(after.values()) - math.prod(before.values())
    assert close(math.fsum(parts.values()), change, product_scale(before, after))


@FAST
@given(drivers(values=signed, min_n=2), st.randoms(use_true_random=False))
def test_shapley_does_not_depend_on_key_order(pair: tuple[dict, dict], rnd: object) -> None:
    before, after = pair
    keys_b, keys_a = list(before), list(after)
    rnd.shuffle(keys_b)  # type: ignore[attr-defined]
    rnd.shuffle(keys_a)  # type: ignore[attr-defined]
    parts = shapley(before, after)
    shuffled = shapley({k: before[k] for k in keys_b}, {k: after[k] for k in keys_a})
    assert set(shuffled) == set(parts)
    scale = product_scale(before, after)
    for key in parts:
        assert close(shuffled[key], parts[key], scale), key


@FAST
@given(drivers(values=signed), st.data())
def test_shapley_unchanged_driver_gets_exactly_zero(pair: tuple[dict, dict], data: st.DataObject):
    before, after = pair
    key = data.draw(st.sampled_from(list(before)))
    after[key] = before[key]
    assert shapley(before, after)[key] == 0.0


def test_shapley_unchanged_driver_among_positive_movers() -> None:
    parts = shapley({"a": 2.0, "b": 3.0, "c": 5.0}, {"a": 4.0, "b": 3.0, "c": 1.0})
    assert parts["b"] == 0.0
    # two movers: a 2->4, c 5->1, b fixed at 3. part_a = (4-2) * 3 * (5+1)/2 = 18,
    # part_c = (1-5) * 3 * (2+4)/2 = -36; total 3*(4*1 - 2*5) = -18.
    assert parts["a"] == pytest.approx(18.0, rel=1e-12)
    assert parts["c"] == pytest.approx(-36.0, rel=1e-12)


@FAST
@given(drivers(values=signed, min_n=2), st.data())
def test_shapley_symmetric_drivers_get_equal_parts(pair: tuple[dict, dict], data: st.DataObject):
    before, after = pair
    i, j = data.draw(st.lists(st.sampled_from(list(before)), min_size=2, max_size=2, unique=True))
    before[j], after[j] = before[i], after[i]
    parts = shapley(before, after)
    assert close(parts[i], parts[j], product_scale(before, after))


@SLOW
@given(drivers(values=signed, max_n=5))
def test_shapley_matches_brute_force_over_all_orders(pair: tuple[dict, dict]) -> None:
    before, after = pair
    parts = shapley(before, after)
    expected = brute_force_shapley(before, after)
    scale = product_scale(before, after)
    for key in before:
        assert close(parts[key], expected[key], scale), key


@SLOW
@given(drivers(values=signed, max_n=4))
def test_shapley_matches_brute_force_for_a_nonlinear_combine(pair: tuple[dict, dict]) -> None:
    # not a product: interaction terms everywhere; Shapley must still equal the permutation mean
    def combine(xs: Sequence[float]) -> float:
        return math.fsum(xs) ** 2 + math.prod(xs)

    before, after = pair
    parts = shapley(before, after, combine=combine)
    expected = brute_force_shapley(before, after, combine)
    scale = math.fsum(max(abs(before[k]), abs(after[k])) for k in before) ** 2 + product_scale(
        before, after
    )
    for key in before:
        assert close(parts[key], expected[key], scale), key
    change = combine(list(after.values())) - combine(list(before.values()))
    assert close(math.fsum(parts.values()), change, scale)


@FAST
@given(signed, signed, signed, signed)
def test_shapley_two_driver_closed_form(a0: float, a1: float, b0: float, b1: float) -> None:
    parts = shapley({"a": a0, "b": b0}, {"a": a1, "b": b1})
    scale = max(abs(a0), abs(a1)) * max(abs(b0), abs(b1))
    assert close(parts["a"], (a1 - a0) * (b0 + b1) / 2, scale)
    assert close(parts["b"], (b1 - b0) * (a0 + a1) / 2, scale)


def test_shapley_two_driver_hand_case() -> None:
    # volume 100 -> 120, rate 0.5 -> 0.4: Y 50 -> 48.
    # part_volume = 20 * (0.5+0.4)/2 = 9; part_rate = -0.1 * (100+120)/2 = -11; sum -2.
    parts = shapley({"volume": 100, "rate": 0.5}, {"volume": 120, "rate": 0.4})
    assert parts["volume"] == pytest.approx(9.0, rel=1e-12)
    assert parts["rate"] == pytest.approx(-11.0, rel=1e-12)


@FAST
@given(drivers(values=signed))
def test_shapley_sum_combine_gives_each_drivers_own_change(pair: tuple[dict, dict]) -> None:
    before, after = pair
    parts = shapley(before, after, combine=math.fsum)
    scale = math.fsum(max(abs(before[k]), abs(after[k])) for k in before)
    for key in before:
        assert close(parts[key], after[key] - before[key], scale), key


def test_shapley_mismatched_keys_raise() -> None:
    with pytest.raises(ValueError, match="different drivers"):
        shapley({"a": 1.0, "b": 2.0}, {"a": 1.0, "c": 2.0})
    with pytest.raises(ValueError, match="different drivers"):
        shapley({"a": 1.0}, {"a": 1.0, "b": 2.0})
    with pytest.raises(ValueError, match="different drivers"):
        shapley({"a": 1.0, "b": 2.0}, {"a": 1.0})


def test_shapley_no_drivers() -> None:
    assert shapley({}, {}) == {}


def test_shapley_six_drivers_with_a_zero() -> None:
    # one driver goes from 0 to 2 while the rest stay: all of Y1 - Y0 = 2*3*...*7 - 0 is its own
    before = {"a": 0.0, "b": 3.0, "c": 4.0, "d": 5.0, "e": 6.0, "f": 7.0}
    after = dict(before, a=2.0)
    parts = shapley(before, after)
    assert parts["a"] == pytest.approx(2.0 * 3 * 4 * 5 * 6 * 7, rel=1e-12)
    assert all(parts[k] == 0.0 for k in "bcdef")


# --------------------------------------------------------------------------------------------
# mix_rate
# --------------------------------------------------------------------------------------------
#
# The module's formula (its docstring): rate_i = (r_i1 - r_i0) (w_i0 + w_i1) / 2 and
# mix_i = (w_i1 - w_i0) ((r_i0 + r_i1) / 2 - c), with c = (R_0 + R_1) / 2 when both sides have
# a denominator and c = 0 otherwise. Since the weights' changes sum to zero, the centre c moves
# nothing in the sum, which is R_1 - R_0 as with the plain midpoint form of kpi-methods.md.

SEG_COLUMNS = ["segment", "numerator", "denominator"]
denominators = st.one_of(st.just(0), st.integers(min_value=0, max_value=5000))
Rows = list[tuple[str, int, int]]


def frame(rows: Rows) -> pd.DataFrame:
    """A mix_rate input: (segment, numerator, denominator) rows."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="object" if c == "segment" else "int64")
                             for c in SEG_COLUMNS})  # fmt: skip
    return pd.DataFrame(rows, columns=SEG_COLUMNS)


def exact_mix_rate(rows_before: Rows, rows_after: Rows) -> dict[str, dict[str, Fraction]]:
    """The documented split in exact rational arithmetic, independent of pandas."""
    b = {s: (Fraction(n), Fraction(d)) for s, n, d in rows_before}
    a = {s: (Fraction(n), Fraction(d)) for s, n, d in rows_after}
    zero = (Fraction(0), Fraction(0))
    segments = [s for s in {*b, *a} if b.get(s, zero)[1] > 0 or a.get(s, zero)[1] > 0]
    t0 = sum(b.get(s, zero)[1] for s in segments)
    t1 = sum(a.get(s, zero)[1] for s in segments)
    centre = Fraction(0)
    if t0 and t1:
        centre = (sum(b.get(s, zero)[0] for s in segments) / t0
                  + sum(a.get(s, zero)[0] for s in segments) / t1) / 2  # fmt: skip
    out = {}
    for s in segments:
        (n0, d0), (n1, d1) = b.get(s, zero), a.get(s, zero)
        w0 = d0 / t0 if t0 else Fraction(0)
        w1 = d1 / t1 if t1 else Fraction(0)
        r0 = n0 / d0 if d0 else n1 / d1
        r1 = n1 / d1 if d1 else r0
        mix = (w1 - w0) * ((r0 + r1) / 2 - centre)
        rate = (r1 - r0) * (w0 + w1) / 2
        out[s] = {"weight_before": w0, "weight": w1, "rate_before": r0, "rate": r1,
                  "mix": mix, "rate_effect": rate, "total": mix + rate}  # fmt: skip
    return out


@st.composite
def segment_tables(draw: st.DrawFn) -> tuple[Rows, Rows]:
    """1..8 segments, each on both sides, only before or only after; zero denominators too."""
    n = draw(st.integers(min_value=1, max_value=8))
    rows_before: Rows = []
    rows_after: Rows = []
    for i in range(n):
        where = draw(st.sampled_from(["both", "both", "before", "after"]))
        for side, rows in (("before", rows_before), ("after", rows_after)):
            if where in ("both", side):
                den = draw(denominators)
                num = draw(st.integers(min_value=0, max_value=den))
                rows.append((f"s{i}", num, den))
    return draw(st.permutations(rows_before)), draw(st.permutations(rows_after))


def check_mix_rate(rows_before: Rows, rows_after: Rows) -> pd.DataFrame:
    """What every mix/rate split must satisfy; returns it for further checks."""
    out = mix_rate(frame(rows_before), frame(rows_after))
    assert list(out.columns) == MIX_COLUMNS
    expected = exact_mix_rate(rows_before, rows_after)
    assert sorted(out["segment"]) == sorted(expected)
    assert not out[MIX_COLUMNS[1:]].isna().any().any()
    for row in out.itertuples(index=False):
        for col, value in expected[row.segment].items():
            assert math.isclose(getattr(row, col), value, rel_tol=1e-12, abs_tol=1e-15), (
                row.segment, col)  # fmt: skip
        # per row: mix + rate = total
        assert row.mix + row.rate_effect == row.total
        # a segment new in after (or gone from it) has no rate effect: its effect is all mix
        if row.before_denominator == 0 or row.denominator == 0:
            assert row.rate_before == row.rate
            assert row.rate_effect == 0.0
            assert row.total == row.mix
    # largest loss first
    assert out["total"].is_monotonic_increasing
    return out


@FAST
@given(segment_tables())
def test_mix_rate_totals_sum_to_the_rate_change(tables: tuple[Rows, Rows]) -> None:
    rows_before, rows_after = tables
    before, after = frame(rows_before), frame(rows_after)
    assume(before["denominator"].sum() > 0 and after["denominator"].sum() > 0)
    out = check_mix_rate(rows_before, rows_after)
    r0, r1 = overall_rate(before), overall_rate(after)
    assert overall_rate(out, before=True) == pytest.approx(r0, rel=1e-12)
    assert overall_rate(out) == pytest.approx(r1, rel=1e-12)
    assert math.isclose(out["total"].sum(), r1 - r0, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(
        out["mix"].sum() + out["rate_effect"].sum(), r1 - r0, rel_tol=1e-12, abs_tol=1e-12
    )
    assert out["weight_before"].sum() == pytest.approx(1.0, rel=1e-12)
    assert out["weight"].sum() == pytest.approx(1.0, rel=1e-12)


@FAST
@given(segment_tables())
def test_mix_rate_one_side_without_denominator(tables: tuple[Rows, Rows]) -> None:
    # no rate on one side (overall_rate NaN): still a finite split, the plain midpoint form
    rows_before, rows_after = tables
    check_mix_rate(rows_before, [])
    check_mix_rate([], rows_after)


@st.composite
def pure_mix_tables(draw: st.DrawFn) -> tuple[Rows, Rows]:
    """Each segment keeps its rate k/q exactly (den = q*m, num = k*m); only the weights move."""
    n = draw(st.integers(min_value=1, max_value=8))
    rows_before, rows_after = [], []
    for i in range(n):
        q = draw(st.integers(min_value=1, max_value=20))
        k = draw(st.integers(min_value=0, max_value=q))
        m0 = draw(st.integers(min_value=1, max_value=250))
        m1 = draw(st.integers(min_value=1, max_value=250))
        rows_before.append((f"s{i}", k * m0, q * m0))
        rows_after.append((f"s{i}", k * m1, q * m1))
    return rows_before, rows_after


@FAST
@given(pure_mix_tables())
def test_mix_rate_pure_mix_shift_has_no_rate_effect(tables: tuple[Rows, Rows]) -> None:
    # k*m/(q*m) and k/q round to the same double (IEEE division is correctly rounded)
    out = check_mix_rate(*tables)
    assert (out["rate_before"] == out["rate"]).all()
    assert (out["rate_effect"] == 0.0).all()
    change = overall_rate(frame(tables[1])) - overall_rate(frame(tables[0]))
    assert math.isclose(out["mix"].sum(), change, rel_tol=1e-12, abs_tol=1e-12)


@st.composite
def pure_rate_tables(draw: st.DrawFn) -> tuple[Rows, Rows]:
    """Denominators scale by one factor c (weights identical); numerators move freely."""
    n = draw(st.integers(min_value=1, max_value=8))
    c = draw(st.integers(min_value=1, max_value=5))
    rows_before, rows_after = [], []
    for i in range(n):
        den = draw(st.integers(min_value=1, max_value=1000))
        rows_before.append((f"s{i}", draw(st.integers(min_value=0, max_value=den)), den))
        rows_after.append((f"s{i}", draw(st.integers(min_value=0, max_value=c * den)), c * den))
    return rows_before, rows_after


@FAST
@given(pure_rate_tables())
def test_mix_rate_pure_rate_change_has_no_mix(tables: tuple[Rows, Rows]) -> None:
    out = check_mix_rate(*tables)
    assert (out["weight_before"] == out["weight"]).all()
    assert (out["mix"] == 0.0).all()
    change = overall_rate(frame(tables[1])) - overall_rate(frame(tables[0]))
    assert math.isclose(out["rate_effect"].sum(), change, rel_tol=1e-12, abs_tol=1e-12)


def test_mix_rate_hand_case() -> None:
    # before: A 20/100 (r .2), B 30/100 (r .3); w0 = .5, .5; R0 = 50/200 = .25
    # after:  A 45/300 (r .15), B 40/100 (r .4); w1 = .75, .25; R1 = 85/400 = .2125
    # centre c = (.25 + .2125)/2 = .23125
    # A: mix = (.75-.5)*((.2+.15)/2 - c) = .25*(-.05625) = -.0140625
    #    rate = (.15-.2)*(.5+.75)/2 = -.03125;                     total -.0453125
    # B: mix = (.25-.5)*((.3+.4)/2 - c) = -.25*.11875 = -.0296875
    #    rate = (.4-.3)*(.5+.25)/2 = .0375;                        total .0078125
    # sum = -.0375 = .2125 - .25; A (the loss) comes first. (A took on weight at a
    # below-average rate: its swelling carries the dilution.)
    rows_before = [("A", 20, 100), ("B", 30, 100)]
    rows_after = [("A", 45, 300), ("B", 40, 100)]
    out = check_mix_rate(rows_before, rows_after)
    assert list(out["segment"]) == ["A", "B"]
    got = out.set_index("segment")
    expected = {
        "A": {"weight_before": 0.5, "weight": 0.75, "rate_before": 0.2, "rate": 0.15,
              "mix": -0.0140625, "rate_effect": -0.03125, "total": -0.0453125},
        "B": {"weight_before": 0.5, "weight": 0.25, "rate_before": 0.3, "rate": 0.4,
              "mix": -0.0296875, "rate_effect": 0.0375, "total": 0.0078125},
    }  # fmt: skip
    for seg, cols in expected.items():
        for col, value in cols.items():
            assert got.loc[seg, col] == pytest.approx(value, abs=1e-15), (seg, col)
    assert got.loc["A", "before_numerator"] == 20
    assert got.loc["A", "before_denominator"] == 100
    assert got.loc["A", "numerator"] == 45
    assert got.loc["A", "denominator"] == 300
    assert out["total"].sum() == pytest.approx(-0.0375, abs=1e-15)


def test_mix_rate_hand_case_new_and_gone_segments() -> None:
    # before: A 10/100 (.1), C 50/100 (.5); after: A 20/100 (.2), D 30/100 (.3).
    # w0: A .5, C .5, D 0; w1: A .5, C 0, D .5; R0 = 60/200 = .3, R1 = 50/200 = .25; c = .275.
    # A: mix 0 (same weight), rate = .1*(.5+.5)/2 = .05.
    # C (gone, keeps .5): mix = (0-.5)*(.5-.275) = -.1125, rate 0.
    # D (new, takes .3 as its old rate): mix = (.5-0)*(.3-.275) = .0125, rate 0.
    # sum = .05 - .1125 + .0125 = -.05 = .25 - .3; order by total: C, D, A.
    out = check_mix_rate([("A", 10, 100), ("C", 50, 100)], [("A", 20, 100), ("D", 30, 100)])
    assert list(out["segment"]) == ["C", "D", "A"]
    got = out.set_index("segment")
    assert got.loc["A", "mix"] == 0.0
    assert got.loc["A", "rate_effect"] == pytest.approx(0.05, abs=1e-15)
    assert got.loc["C", "mix"] == pytest.approx(-0.1125, abs=1e-15)
    assert got.loc["C", "rate_effect"] == 0.0
    assert got.loc["C", "rate"] == 0.5
    assert got.loc["C", "weight"] == 0.0
    assert got.loc["D", "mix"] == pytest.approx(0.0125, abs=1e-15)
    assert got.loc["D", "rate_effect"] == 0.0
    assert got.loc["D", "rate_before"] == 0.3
    assert got.loc["D", "weight_before"] == 0.0
    assert out["total"].sum() == pytest.approx(-0.05, abs=1e-15)


def test_mix_rate_no_before_uses_the_plain_midpoint_form() -> None:
    # nothing before: no centre; A 10/100 (.1, w .25), B 90/300 (.3, w .75) after
    # A: mix = .25 * .1 = .025; B: mix = .75 * .3 = .225; sum .25 = R1 (R0 taken as 0).
    out = check_mix_rate([], [("A", 10, 100), ("B", 90, 300)])
    got = out.set_index("segment")
    assert got.loc["A", "mix"] == pytest.approx(0.025, abs=1e-15)
    assert got.loc["B", "mix"] == pytest.approx(0.225, abs=1e-15)
    assert (out["rate_effect"] == 0.0).all()


def test_mix_rate_segment_with_no_denominator_on_either_side_is_dropped() -> None:
    out = check_mix_rate([("A", 1, 10), ("Z", 0, 0)], [("A", 2, 10), ("Z", 0, 0), ("Y", 0, 0)])
    assert list(out["segment"]) == ["A"]
    assert out["total"].sum() == pytest.approx(0.1, abs=1e-15)


# --------------------------------------------------------------------------------------------
# tree_values / tree_attribution
# --------------------------------------------------------------------------------------------

positive_counts = st.integers(min_value=1, max_value=1_000_000)
revenues = st.one_of(
    st.integers(min_value=1, max_value=10**10).map(float),
    st.floats(min_value=1.0, max_value=1e10, allow_nan=False, allow_infinity=False),
)


@st.composite
def positive_figures(draw: st.DrawFn) -> dict[str, float]:
    figures: dict[str, float] = {s: draw(positive_counts) for s in STAGES}
    figures["revenue"] = draw(revenues)
    order = draw(st.permutations(list(figures)))
    return {k: figures[k] for k in order}


@st.composite
def figures_with_zeros(draw: st.DrawFn) -> dict[str, float]:
    """Any stage may be zero independently (the period basis allows mql=0 with sql>0)."""
    figures: dict[str, float] = {
        s: draw(st.one_of(st.just(0), st.integers(min_value=1, max_value=100_000))) for s in STAGES
    }
    figures["revenue"] = draw(revenues) if figures["won"] else 0.0
    return figures


def rounding_scale(result: pd.DataFrame, before: dict, after: dict) -> float:
    """The magnitude rounding is relative to: the revenues and every mix of the drivers."""
    drivers_only = result[result["driver"] != "residual"]
    mixes = product_scale(
        dict(zip(drivers_only["driver"], drivers_only["before"], strict=True)),
        dict(zip(drivers_only["driver"], drivers_only["after"], strict=True)),
    )
    return max(mixes, abs(before["revenue"]), abs(after["revenue"]), 1.0)


def attribution_checks(result: pd.DataFrame, before: dict, after: dict) -> float:
    """What every tree attribution must satisfy, zeros or not; returns the rounding scale."""
    assert list(result.columns) == TREE_COLUMNS
    assert list(result["driver"]) == [*TREE, "residual"]
    assert list(result["kind"]) == ["volume", "rate", "rate", "rate", "rate", "size", "residual"]
    assert not result["contribution"].isna().any()
    assert not result.loc[result["driver"] != "residual", ["before", "after"]].isna().any().any()
    change = after["revenue"] - before["revenue"]
    scale = rounding_scale(result, before, after)
    total = math.fsum(result["contribution"])
    assert math.isclose(total, change, rel_tol=1e-9, abs_tol=1e-9 * scale)
    if change:
        assert math.isclose(
            math.fsum(result["share"]), 1.0, rel_tol=1e-9, abs_tol=1e-9 * scale / abs(change)
        )
    else:
        assert result["share"].isna().all()
    return scale


@FAST
@given(positive_figures())
def test_tree_values_multiply_out_to_revenue(figures: dict[str, float]) -> None:
    values = tree_values(figures, definitions=project_definitions())
    assert list(values) == TREE
    assert values["lead"] == figures["lead"]
    assert values["mql_to_sql"] == figures["sql"] / figures["mql"]
    assert values["average_deal_size"] == figures["revenue"] / figures["won"]
    assert math.isclose(math.prod(values.values()), figures["revenue"], rel_tol=1e-9)


def test_tree_values_zero_denominator_is_nan() -> None:
    values = tree_values(
        {"lead": 10, "mql": 0, "sql": 3, "opportunity": 0, "won": 0, "revenue": 0.0},
        definitions=project_definitions(),
    )
    assert values["lead_to_mql"] == 0.0
    assert math.isnan(values["mql_to_sql"])
    assert values["sql_to_opportunity"] == 0.0
    assert math.isnan(values["opportunity_to_won"])
    assert math.isnan(values["average_deal_size"])


@FAST
@given(positive_figures(), positive_figures())
def test_tree_attribution_adds_up_with_no_residual(before: dict, after: dict) -> None:
    result = tree_attribution(before, after, definitions=project_definitions())
    scale = attribution_checks(result, before, after)
    residual = result.set_index("driver").loc["residual", "contribution"]
    assert math.isclose(residual, 0.0, abs_tol=1e-9 * scale)
    drivers_only = result[result["driver"] != "residual"]
    assert list(drivers_only["before"]) == list(
        tree_values(before, definitions=project_definitions()).values()
    )
    assert list(drivers_only["after"]) == list(
        tree_values(after, definitions=project_definitions()).values()
    )


@FAST
@given(positive_figures(), positive_figures(), st.randoms(use_true_random=False))
def test_tree_attribution_does_not_depend_on_key_order(
    before: dict, after: dict, rnd: object
) -> None:
    keys_b, keys_a = list(before), list(after)
    rnd.shuffle(keys_b)  # type: ignore[attr-defined]
    rnd.shuffle(keys_a)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(
        tree_attribution(before, after, definitions=project_definitions()),
        tree_attribution(
            {k: before[k] for k in keys_b},
            {k: after[k] for k in keys_a},
            definitions=project_definitions(),
        ),
    )


def closed(figures: dict[str, float]) -> bool:
    """No stage is zero while a later one is not (and revenue is zero iff won is)."""
    counts = [figures[s] for s in STAGES]
    return all(counts[j] == 0 for i, c in enumerate(counts) if c == 0 for j in range(i, 5))


@FAST
@given(figures_with_zeros(), figures_with_zeros())
def test_tree_attribution_with_zero_counts(before: dict, after: dict) -> None:
    result = tree_attribution(before, after, definitions=project_definitions())
    scale = attribution_checks(result, before, after)
    if closed(before) and closed(after):
        residual = result.set_index("driver").loc["residual", "contribution"]
        assert math.isclose(residual, 0.0, abs_tol=1e-9 * scale)


def test_tree_attribution_won_zero_and_revenue_zero_on_one_side() -> None:
    # before: 1000 -> 200 -> 100 -> 50 -> 0 won, revenue 0; after: ... -> 10 won, revenue 1e7.
    # Deal size is undefined before, so it takes the after value (1e6) and moves nothing; the
    # whole change (1e7) is opportunity_to_won's (0 -> 0.2), and the residual is zero.
    before = {"lead": 1000, "mql": 200, "sql": 100, "opportunity": 50, "won": 0, "revenue": 0.0}
    after = {"lead": 1000, "mql": 200, "sql": 100, "opportunity": 50, "won": 10, "revenue": 1e7}
    for b, a, sign in ((before, after, 1), (after, before, -1)):
        result = tree_attribution(b, a, definitions=project_definitions())
        attribution_checks(result, b, a)
        got = result.set_index("driver")
        assert got.loc["opportunity_to_won", "contribution"] == pytest.approx(sign * 1e7)
        assert got.loc["opportunity_to_won", "share"] == pytest.approx(1.0)
        assert got.loc["average_deal_size", "before"] == got.loc["average_deal_size", "after"]
        assert got.loc["average_deal_size", "contribution"] == 0.0
        assert got.loc["residual", "contribution"] == pytest.approx(0.0, abs=1e-6)


def test_tree_attribution_mql_zero_with_sql_positive_goes_to_residual() -> None:
    # before (period basis): 1000 leads, 0 MQL, yet 50 SQL -> 20 opp -> 5 won, revenue 5e6.
    #   drivers: 1000, 0, NaN (takes after's 0.5), 0.4, 0.25, 1e6 -> tree product 0, not 5e6.
    # after: 1000 -> 200 -> 100 -> 40 -> 10, revenue 1e7: drivers 1000, .2, .5, .4, .25, 1e6.
    # Only lead_to_mql moves (0 -> .2): its part is the tree's whole change 1e7 - 0 = 1e7.
    # The KGI change is 1e7 - 5e6 = 5e6, so the residual is 5e6 - 1e7 = -5e6 (= -revenue before);
    # shares: lead_to_mql 2, residual -1.
    before = {"lead": 1000, "mql": 0, "sql": 50, "opportunity": 20, "won": 5, "revenue": 5e6}
    after = {"lead": 1000, "mql": 200, "sql": 100, "opportunity": 40, "won": 10, "revenue": 1e7}
    result = tree_attribution(before, after, definitions=project_definitions())
    attribution_checks(result, before, after)
    got = result.set_index("driver")
    assert got.loc["mql_to_sql", "before"] == 0.5
    assert got.loc["lead_to_mql", "contribution"] == pytest.approx(1e7, rel=1e-12)
    for key in ["lead", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won"]:
        assert got.loc[key, "contribution"] == 0.0, key
    assert got.loc["average_deal_size", "contribution"] == 0.0
    assert got.loc["residual", "contribution"] == pytest.approx(-5e6, rel=1e-12)
    assert got.loc["lead_to_mql", "share"] == pytest.approx(2.0, rel=1e-12)
    assert got.loc["residual", "share"] == pytest.approx(-1.0, rel=1e-12)


def test_tree_attribution_only_lead_volume_changes() -> None:
    # every rate and the deal size stay put (.2, .5, .5, .2, 1e6); leads 1000 -> 1200:
    # revenue 1000*.2*.5*.5*.2*1e6 = 1e7 -> 1.2e7, and all of the 2e6 is the lead volume's.
    before = {"lead": 1000, "mql": 200, "sql": 100, "opportunity": 50, "won": 10, "revenue": 1e7}
    after = {"lead": 1200, "mql": 240, "sql": 120, "opportunity": 60, "won": 12, "revenue": 1.2e7}
    result = tree_attribution(before, after, definitions=project_definitions())
    attribution_checks(result, before, after)
    got = result.set_index("driver")
    assert got.loc["lead", "contribution"] == pytest.approx(2e6, rel=1e-12)
    assert got.loc["lead", "share"] == pytest.approx(1.0, rel=1e-12)
    for key in TREE[1:]:
        assert got.loc[key, "contribution"] == 0.0, key
    assert got.loc["residual", "contribution"] == pytest.approx(0.0, abs=1e-6)


def test_tree_attribution_two_drivers_move() -> None:
    # leads 1000 -> 1200 and opportunity_to_won .2 -> .25 (won 10 -> 15 of 50 -> 60 opps); the
    # other factors K = .2 * .5 * .5 * 1e6 = 5e4 stay. Revenue 1e7 -> 1.5e7.
    # lead: (1200-1000) * (.2+.25)/2 * K = 2.25e6; opportunity_to_won: .05 * (1000+1200)/2 * K
    # = 2.75e6; sum 5e6.
    before = {"lead": 1000, "mql": 200, "sql": 100, "opportunity": 50, "won": 10, "revenue": 1e7}
    after = {"lead": 1200, "mql": 240, "sql": 120, "opportunity": 60, "won": 15, "revenue": 1.5e7}
    result = tree_attribution(before, after, definitions=project_definitions())
    attribution_checks(result, before, after)
    got = result.set_index("driver")
    assert got.loc["lead", "contribution"] == pytest.approx(2.25e6, rel=1e-12)
    assert got.loc["opportunity_to_won", "contribution"] == pytest.approx(2.75e6, rel=1e-12)
    assert got.loc["lead", "share"] == pytest.approx(0.45, rel=1e-12)
    assert got.loc["opportunity_to_won", "share"] == pytest.approx(0.55, rel=1e-12)
    for key in ["lead_to_mql", "mql_to_sql", "sql_to_opportunity", "average_deal_size"]:
        assert got.loc[key, "contribution"] == 0.0, key


def test_tree_attribution_no_change() -> None:
    figures = {"lead": 1000, "mql": 200, "sql": 100, "opportunity": 50, "won": 10, "revenue": 1e7}
    result = tree_attribution(figures, dict(figures), definitions=project_definitions())
    assert (result["contribution"] == 0.0).all()
