"""Adopting a pack's proposal as an action: find it in the published packs, turn it into one.

A monthly pack publishes its proposals (``proposals.json``); ``reviewkit action adopt`` reads
one back by its id and makes the action the meeting decided on.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reviewkit.core.redaction import PLACEHOLDER
from reviewkit.errors import DataError, ParameterError
from reviewkit.i18n.formatting import format_count, format_money
from reviewkit.i18n.texts import LANGS, t
from reviewkit.model.action_fields import suggest
from reviewkit.model.actions import Action, make_action

PROPOSAL_GLOBS = ("monthly/*/proposals.json", "monthly/*/*/proposals.json")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def proposal_effect(record: Mapping[str, Any], *, lang: str, currency: str) -> str | None:
    """``+12 MQL/month (≈¥3.4M revenue)`` from a proposal's expected people, unit and revenue.

    The expected revenue (``expected_yen``) is in ``currency``, the workspace's.
    """
    people, revenue = _number(record.get("expected_people")), _number(record.get("expected_yen"))
    if people is None or people <= 0:
        return None
    unit = str(record.get("expected_unit") or "")
    shown = format_count(people, lang=lang)
    if revenue is None or revenue <= 0:
        return t("actions.effect_people", lang, people=shown, unit=unit)
    amount = format_money(revenue, currency=currency, lang=lang)
    return t("actions.effect", lang, people=shown, unit=unit, amount=amount)


def action_from_proposal(
    record: Mapping[str, Any],
    *,
    start: dt.date,
    due: dt.date,
    currency: str,
    action_id: str | None = None,
) -> Action:
    """The action that adopts a monthly proposal (a record of ``proposals.json``).

    Parameters
    ----------
    record
        The columns of :data:`reviewkit.analysis.proposals.PROPOSAL_COLUMNS` plus ``period`` (the
        month reviewed, e.g. ``2026-10``) and ``lang``.
    start, due
        When the action starts and is due.
    currency
        The workspace's currency (ISO 4217), that the proposal's expected revenue is in.
    action_id
        The action's id; default: the proposal id.

    Returns
    -------
    Action
        Open, decided in the monthly review of the proposal's period, with the proposal's
        title (``action``), family, KPI, segment (``dims`` and ``values``; ``None`` values
        dropped), owner and expected effect in words.

    Raises
    ------
    ParameterError
        If the record lacks a field the action needs or has a bad value, or its segment was
        redacted (it held contact data).
    """
    lang = str(record.get("lang") or "en")
    lang = lang if lang in LANGS else "en"
    dims, values = record.get("dims") or [], record.get("values") or []
    segment = {str(d): str(v) for d, v in zip(dims, values, strict=False) if v is not None}
    proposal_id = record.get("proposal_id")
    if any(PLACEHOLDER in v for v in segment.values()):
        raise ParameterError(
            f"proposal {proposal_id!r}: its segment held an e-mail address or phone number, "
            "redacted in proposals.json, so the action could not find its people; add it by "
            "hand: reviewkit action add --title ... --segment COLUMN=VALUE"
        )
    fields = {
        "id": action_id or proposal_id,
        "title": record.get("action"),
        "family": record.get("family"),
        "kpi": record.get("kpi"),
        "segment": segment or None,
        "owner": record.get("owner"),
        "decided_in": {"review": "monthly", "period": record.get("period")},
        "start": start,
        "due": due,
        "status": "open",
        "expected_effect": proposal_effect(record, lang=lang, currency=currency),
        "proposal_id": proposal_id,
    }
    return make_action(fields, source=f"proposal {proposal_id!r}")


def find_proposal(outputs_dir: Path, proposal_id: str, *, lang: str | None = None) -> dict:
    """The record of ``proposal_id`` in the monthly packs' ``proposals.json`` files.

    Looks in ``<outputs>/monthly/*/proposals.json`` and ``<outputs>/monthly/*/*/proposals.json``
    (language folders). When several packs have it, the one in ``lang`` wins, then the newest.

    Raises
    ------
    ParameterError
        If no file has it: naming the id, where it looked and the fix.
    DataError
        If a ``proposals.json`` is not a JSON list.
    """
    root = Path(outputs_dir)
    files = sorted({f for pattern in PROPOSAL_GLOBS for f in root.glob(pattern)})
    found: list[tuple[Path, dict]] = []
    known: list[str] = []
    for file in files:
        try:
            records = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(
                f"{file}: not a readable proposals file ({exc}); rebuild the monthly pack: "
                "reviewkit run monthly"
            ) from None
        if not isinstance(records, list):
            raise DataError(
                f"{file}: a proposals file is a JSON list of proposals (got "
                f"{type(records).__name__}); rebuild the monthly pack: reviewkit run monthly"
            )
        for record in records:
            if isinstance(record, dict):
                known.append(str(record.get("proposal_id")))
                if record.get("proposal_id") == proposal_id:
                    found.append((file, record))
    if not found:
        looked = " and ".join(str(root / pattern) for pattern in PROPOSAL_GLOBS)
        raise ParameterError(
            f"proposal {proposal_id!r}: not found in {len(files)} proposals.json file(s) "
            f"({looked}){suggest(proposal_id, known)}; check the id in the monthly pack's "
            "proposals, or build the monthly pack first: reviewkit run monthly"
        )
    found.sort(key=lambda item: (item[1].get("lang") != lang, -item[0].stat().st_mtime))
    return dict(found[0][1])
