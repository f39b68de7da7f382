"""The cause analysis' rules on tiny hand-made frames: what counts as a loss, how it is tested.

Every expected number is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reviewkit.analysis.attribution import mix_arrays, mix_rate
from reviewkit.analysis.cause_selection import ALPHA, own_mix, p_value, scored
from reviewkit.analysis.causes import followed_up_worse
from reviewkit.present.sections.causes import left_out_line


def split(rows: dict[str, tuple[int, int, int, int]]) -> pd.DataFrame:
    """A rate split from {segment: (numerator before, denominator before, now, now)}."""
    names = np.asarray(list(rows), dtype=object)
    n0, d0, n1, d1 = (np.asarray([r[i] for r in rows.values()], dtype=float) for i in range(4))
    frame = mix_arrays(names, n0, d0, n1, d1)
    frame["size"] = frame[["before_denominator", "denominator"]].max(axis=1)
    return frame


def row(frame: pd.DataFrame, segment: str) -> pd.Series:
    return frame.set_index("segment").loc[segment]


def test_mix_arrays_is_mix_rate():
    before = pd.DataFrame({"segment": ["a", "b", "c"], "numerator": [5, 3, 0],
                           "denominator": [10, 6, 0]})  # fmt: skip
    after = pd.DataFrame({"segment": ["a", "b", "d"], "numerator": [2, 3, 1],
                          "denominator": [8, 6, 4]})  # fmt: skip
    want = mix_rate(before, after)
    got = split({"a": (5, 10, 2, 8), "b": (3, 6, 3, 6), "c": (0, 0, 0, 0), "d": (0, 0, 1, 4)})
    pd.testing.assert_frame_equal(got.drop(columns="size"), want)
    assert "c" not in set(got["segment"])  # nobody on either side


def test_a_segment_that_held_while_a_new_one_arrived_lost_nothing():
    # A: 50 of 100 both months. B: new, 0 of 100. Everyone: 50 % -> 25 %, centre 37.5 %.
    # The mix effect gives A (0.5 - 1) x (0.5 - 0.375) = -0.0625: A's share halved because B
    # arrived, not because A changed. Its own part: its share had it kept 100 people among
    # the others' 100 is 100 / 200 = 0.5, as now: 0.
    frame = split({"A": (50, 100, 50, 100), "B": (0, 0, 0, 100)})
    assert row(frame, "A")["mix"] == pytest.approx(-0.0625)
    own = dict(zip(frame["segment"], own_mix(frame), strict=True))
    assert own["A"] == pytest.approx(0.0)
    # B's own part is its whole share: 0.5 x (0 - 0.375) = -0.1875
    assert own["B"] == pytest.approx(-0.1875)
    # scores: A gains (its rate held while everyone fell 25 points): (0 + 0.25 x 0.75) x 200
    target = scored(frame, "rate", new_is_loss=False).set_index("segment")
    assert target.loc["A", "score"] == pytest.approx(37.5)
    # B is new: not a loss in the target family (and not counted as a test) ...
    assert target.loc["B", "score"] == 0 and not target.loc["B", "can"]
    # ... but a new content asset is judged by its quality: (-0.1875 + 0.25 x 0.25) x 200
    content = scored(frame, "rate", new_is_loss=True).set_index("segment")
    assert content.loc["B", "score"] == pytest.approx(-25.0) and content.loc["B", "can"]


def test_a_segment_that_fell_while_everyone_rose_loses_its_own_fall():
    # A: 50 of 100 -> 25 of 100; B: 20 of 100 -> 90 of 100. Everyone rose (35 % -> 57.5 %),
    # so A's loss is its own fall, not its fall beyond everyone's: (-0.25) x 0.5 x 200 = -25.
    frame = split({"A": (50, 100, 25, 100), "B": (20, 100, 90, 100)})
    got = scored(frame, "rate", new_is_loss=False).set_index("segment")
    assert got.loc["A", "score"] == pytest.approx(-25.0)
    # tested on its rate, one-sided: 50 of 100 -> 25 of 100
    assert got.loc["A", "p"] == pytest.approx(p_value(50, 100, 25, 100))


def test_when_everyone_fell_a_segment_loses_only_beyond_it():
    # A: 50 -> 25 of 100, B: 50 -> 25 of 100: both fell as everyone did: no excess loss.
    got = scored(split({"A": (50, 100, 25, 100), "B": (50, 100, 25, 100)}), "rate",
                 new_is_loss=False)  # fmt: skip
    assert got["score"].abs().max() == pytest.approx(0.0)


def test_an_unknown_segment_is_never_a_loss():
    frame = split({"\x1e": (50, 100, 0, 100), "A": (50, 100, 50, 100)})
    got = scored(frame, "rate", new_is_loss=True).set_index("segment")
    assert got.loc["\x1e", "score"] == 0 and not got.loc["\x1e", "can"]


def test_a_mix_led_loss_is_tested_on_its_share():
    # A swells from 10 % to 50 % of the denominator at a rate below the average: its loss is
    # its mix; what must be beyond chance is its share's rise (10 of 100 -> 50 of 100).
    frame = split({"A": (1, 10, 5, 50), "B": (45, 90, 25, 50)})
    got = scored(frame, "rate", new_is_loss=False).set_index("segment")
    assert got.loc["A", "score"] < 0
    assert got.loc["A", "p"] == pytest.approx(p_value(50, 100, 10, 100))


def test_volume_scores():
    # A: 100 -> 60, B: 100 -> 100: the total fell by 40, A's share of it is 20: A lost 20
    # beyond its share. When the total rose, a segment's fall is all its own.
    frame = pd.DataFrame({"segment": ["A", "B"], "before": [100.0, 100.0], "now": [60.0, 100.0]})
    frame["change"] = frame["now"] - frame["before"]
    frame["size"] = frame[["before", "now"]].max(axis=1)
    got = scored(frame, "volume", new_is_loss=False).set_index("segment")
    assert got.loc["A", "score"] == pytest.approx(-20.0)
    rose = frame.assign(now=[60.0, 200.0])
    rose["change"] = rose["now"] - rose["before"]
    assert scored(rose, "volume", new_is_loss=False).set_index("segment").loc["A", "score"] == (
        pytest.approx(-40.0)
    )


def test_p_value_is_one_sided():
    fall, rise = p_value(50, 100, 40, 100), p_value(40, 100, 50, 100)
    assert fall < 0.5 < rise
    assert fall + rise == pytest.approx(1.0)
    # z = -0.1 / sqrt(0.45 x 0.55 x 0.02) = -1.4213; one-sided p = 0.0776
    assert fall == pytest.approx(0.0776, abs=1e-4)
    assert p_value(0, 0, 1, 10) == 1.0 and p_value(0, 10, 0, 10) == 1.0


def test_teams_whose_follow_up_got_worse_are_named():
    teams = pd.DataFrame(
        {
            "sales_team": ["A", "B", "C", None],
            "due": [100, 100, 20, 50], "in_sla": [95, 10, 15, 0],
            "due_before": [100, 100, 20, 50], "in_sla_before": [97, 90, 19, 50],
        }
    )  # fmt: skip
    # B: 90 % -> 10 %, far beyond chance; C: 95 % -> 75 % of 20 (one-sided p = 0.04, above
    # 0.05 / 3 teams); A: 97 % -> 95 %; the team-less people are no team to name.
    assert p_value(19, 20, 15, 20) > ALPHA / 3
    assert followed_up_worse(teams) == ["B"]
    assert (
        followed_up_worse(None) == [] and followed_up_worse(teams.drop(columns="due_before")) == []
    )


@pytest.mark.parametrize(
    ("lang", "counts", "want"),
    [
        ("en", {"channel": 3, "industry": 0, "region": 1},
         "Left out of every split, drill-down and finding: industry (no lead has a value); "
         "region (every lead has the same value)."),
        ("ja", {"channel": 3, "industry": 0},
         "分割・内訳・所見から外した列: 業種（値がない）。"),
        ("en", {"channel": 2}, ""),
    ],
)  # fmt: skip
def test_left_out_columns_are_named_once_with_why(lang, counts, want):
    assert left_out_line(counts, lang=lang) == want
