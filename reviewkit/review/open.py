"""What a notebook opens: the review of a cadence (:func:`open_review`), or the drill-down alone.

:func:`open_review` checks the request (cadence, date, language, segment) in one place,
:func:`_checked_request`, then returns the cadence's class: :class:`WeeklyReview`,
:class:`MonthlyReview` or :class:`QuarterlyReview`. :func:`explore` (``reviewkit.explore``)
opens the JupyterLab drill-down on a workspace's store without a template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, overload

from reviewkit.core.context import in_pack
from reviewkit.core.periods import Cadence
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import load_definitions
from reviewkit.model.request import PackRequest
from reviewkit.model.scope import Scope
from reviewkit.review.base import Review
from reviewkit.review.explorer import explorer
from reviewkit.review.monthly import MonthlyReview
from reviewkit.review.quarterly import QuarterlyReview
from reviewkit.review.weekly import WeeklyReview
from reviewkit.store.schema import connect

REVIEWS: dict[str, type[WeeklyReview | MonthlyReview]] = {
    "weekly": WeeklyReview,
    "monthly": MonthlyReview,
}


@dataclass(frozen=True)
class _Request:
    """A checked request: the workspace, the review date, the language and the scope."""

    workspace: Workspace
    as_of: dt.date
    lang: str
    scope: Scope | None


def _checked_request(
    cadence: str,
    *,
    workspace: str,
    as_of: str,
    lang: str,
    segment: str,
    segment_name: str,
    quarterly_options: bool,
) -> _Request:
    """The request checked once: workspace, date, segment, cadence and its options, language.

    Raises :class:`~reviewkit.errors.ParameterError` naming the first wrong field (or the
    workspace's own error when there is none).
    """
    ws = find_workspace(workspace or None)
    if cadence != "quarterly" and quarterly_options:
        raise ParameterError(
            f"what_if_rule / next_kgi_target: only the quarterly review takes them, not the "
            f"{cadence} review; remove them from the {cadence} template's call"
        )
    definitions = load_definitions(ws) if segment.strip() else None
    # the same checks as `reviewkit run` and the batch (a notebook names the segment `segment`)
    request = PackRequest.check(
        workspace=ws, cadence=cadence, as_of=as_of, lang=lang, segment=segment,
        segment_name=segment_name, columns=definitions.dimensions if definitions else None,
        option="segment", published=False,
    )  # fmt: skip
    if request.scope is not None and definitions is not None:
        from reviewkit.model.scope import check_scope

        con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
        try:
            check_scope(con, request.scope, definitions=definitions)
        finally:
            con.close()
    return _Request(workspace=ws, as_of=request.as_of, lang=request.lang, scope=request.scope)


@overload
def open_review(
    cadence: Literal["weekly"], *, workspace: str = ..., as_of: str = ..., lang: str = ...,
    segment: str = ..., segment_name: str = ..., template: str = ...,
) -> WeeklyReview: ...  # fmt: skip
@overload
def open_review(
    cadence: Literal["monthly"], *, workspace: str = ..., as_of: str = ..., lang: str = ...,
    segment: str = ..., segment_name: str = ..., template: str = ...,
) -> MonthlyReview: ...  # fmt: skip
@overload
def open_review(
    cadence: Literal["quarterly"], *, workspace: str = ..., as_of: str = ..., lang: str = ...,
    what_if_rule: str = ..., next_kgi_target: float = ..., segment: str = ...,
    segment_name: str = ..., template: str = ...,
) -> QuarterlyReview: ...  # fmt: skip
@overload
def open_review(
    cadence: Cadence, *, workspace: str = ..., as_of: str = ..., lang: str = ...,
    what_if_rule: str = ..., next_kgi_target: float = ..., segment: str = ...,
    segment_name: str = ..., template: str = ...,
) -> Review: ...  # fmt: skip
def open_review(
    cadence: Cadence,
    *,
    workspace: str = "",
    as_of: str = "auto",
    lang: str = "",
    what_if_rule: str = "",
    next_kgi_target: float = 0,
    segment: str = "",
    segment_name: str = "",
    template: str = "",
) -> Review:
    """Open the review a template renders.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
    workspace
        Workspace folder; ``""`` finds it (``$REVIEWKIT_WORKSPACE``, the current folder or a
        parent).
    as_of
        Review date ``YYYY-MM-DD``, or ``auto`` for today in the workspace time zone.
    lang
        ``ja`` or ``en``; ``""`` uses the workspace default.
    what_if_rule
        Quarterly only: a proposed rule for the threshold-defined stage (``"score >= 70"``),
        compared with the current definition; ``""`` compares the sweep's suggestion.
    next_kgi_target
        Quarterly only: next quarter's KGI target (its total); ``0`` reads
        ``params/targets.yml``.
    segment
        ``KEY=VALUE`` (``sales_team=Team B``) or ``KEY=VALUE,VALUE`` for a segment pack;
        ``""``: the whole company.
    segment_name
        A name for a group of values (``paid``); ``""``: the values themselves.
    template
        The name of an analyst's template (``reviewkit new-template``): the review takes its
        title from that notebook's metadata; ``""``: a shipped review.

    Returns
    -------
    Review
        The cadence's review: a :class:`~reviewkit.review.weekly.WeeklyReview`,
        :class:`~reviewkit.review.monthly.MonthlyReview` or
        :class:`~reviewkit.review.quarterly.QuarterlyReview`.
    """
    request = _checked_request(
        cadence, workspace=workspace, as_of=as_of, lang=lang, segment=segment,
        segment_name=segment_name, quarterly_options=bool(what_if_rule or next_kgi_target),
    )  # fmt: skip
    title = None
    if template:
        from reviewkit.review.templates import load_template

        title = load_template(template, workspace=request.workspace).titles
    ws, day, checked, scope = request.workspace, request.as_of, request.lang, request.scope
    if cadence == "quarterly":
        return QuarterlyReview(
            workspace=ws, as_of=day, lang=checked, what_if_rule=what_if_rule,
            next_kgi_target=next_kgi_target, scope=scope, title=title,
        )  # fmt: skip
    return REVIEWS[cadence](workspace=ws, as_of=day, lang=checked, scope=scope, title=title)


def explore(
    *,
    workspace: str = "",
    as_of: str = "auto",
    lang: str = "",
    segment: str = "",
    segment_name: str = "",
    cadence: Cadence = "monthly",
    metric: str | None = None,
    dimension: str | None = None,
) -> Any:
    """Open the drill-down on a workspace's store, in any notebook.

    Parameters
    ----------
    workspace, as_of, lang, segment, segment_name, cadence
        As for :func:`open_review` (``segment``: a segment pack's scope).
    metric
        The metric shown first; ``None``: the KGI.
    dimension
        The column split by first; ``None``: the whole funnel.

    Returns
    -------
    ipywidgets.Widget or None
        The widget to display; ``None`` inside a pack build (see
        :func:`~reviewkit.core.context.in_pack`).
    """
    if in_pack():
        return None

    review = open_review(
        cadence,
        workspace=workspace,
        as_of=as_of,
        lang=lang,
        segment=segment,
        segment_name=segment_name,
    )
    found = explorer(review, metric=metric, dimension=dimension)
    return None if found is None else found.widget
