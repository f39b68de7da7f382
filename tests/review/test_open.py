"""open_review returns the cadence's review; the request is checked before any review is built."""

from __future__ import annotations

import pytest

from reviewkit.errors import ParameterError
from reviewkit.review.base import Review
from reviewkit.review.monthly import MonthlyReview
from reviewkit.review.open import open_review
from reviewkit.review.quarterly import QuarterlyReview
from reviewkit.review.weekly import WeeklyReview

AS_OF = "2026-11-23"


@pytest.mark.parametrize(
    ("cadence", "kind"),
    [("weekly", WeeklyReview), ("monthly", MonthlyReview), ("quarterly", QuarterlyReview)],
)
def test_each_cadence_opens_its_own_review(sample_workspace, cadence, kind):
    review = open_review(cadence, workspace=str(sample_workspace.root), as_of=AS_OF, lang="en")
    assert type(review) is kind and isinstance(review, Review)
    assert review.cadence == cadence and review.period.cadence == cadence
    assert callable(review.explore) and callable(review.summary)


def test_only_the_quarterly_review_has_the_quarterly_sections(sample_workspace):
    weekly = open_review("weekly", workspace=str(sample_workspace.root), as_of=AS_OF, lang="en")
    assert not hasattr(weekly, "target_proposal") and not hasattr(weekly, "gap")
    assert hasattr(weekly, "pace_table") and not hasattr(QuarterlyReview, "pace_table")


@pytest.mark.parametrize("cadence", ["weekly", "monthly"])
def test_quarterly_options_are_refused_elsewhere(sample_workspace, cadence):
    with pytest.raises(ParameterError, match="only the quarterly review takes them"):
        open_review(cadence, workspace=str(sample_workspace.root), as_of=AS_OF, what_if_rule="x")


def test_an_unknown_cadence_or_language_is_named(sample_workspace):
    root = str(sample_workspace.root)
    with pytest.raises(ParameterError, match="'daily' is not a review cadence"):
        open_review("daily", workspace=root, as_of=AS_OF)  # type: ignore[call-overload]
    with pytest.raises(ParameterError, match="'fr' is not a pack language"):
        open_review("monthly", workspace=root, as_of=AS_OF, lang="fr")
