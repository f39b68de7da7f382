"""The fields of a HubSpot record as the fetcher hands them on: properties and derived fields.

A profile maps HubSpot property names, and these fields the fetcher derives:

``associations.<object>``
    The first associated record of ``<object>`` (e.g. ``associations.contacts``), in the
    order the v4 associations batch read returns them.
``owner.name``, ``owner.team``
    The owner's "First Last" and primary (else first) team, from ``hubspot_owner_id`` and the
    owners API.
``<property>.entered.<value>``
    When ``<property>`` first took ``<value>`` (its history, ``propertiesWithHistory``), e.g.
    ``lifecyclestage.entered.marketingqualifiedlead``.

:class:`FieldPlan` sorts a profile's names into these and the real properties to read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reviewkit.ingest.sync.pages import ObjectSpec

__all__ = [
    "ENTERED",
    "MERGING_OBJECTS",
    "FieldPlan",
    "as_text",
    "earliest",
    "epoch_ms",
    "modified_property",
    "owner_name",
    "owner_team",
    "search_filter",
    "to_ms",
    "utc",
]

Json = dict[str, Any]

MERGING_OBJECTS = frozenset({"contacts", "companies", "deals", "tickets"})
ENTERED = ".entered."


def modified_property(api_object: str) -> str:
    """The modification-time property: ``lastmodifieddate`` (contacts), else ``hs_...``."""
    return "lastmodifieddate" if api_object == "contacts" else "hs_lastmodifieddate"


def to_ms(value: Any) -> int | None:
    """Milliseconds since the epoch of an ISO 8601 text or epoch-milliseconds text."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return round(stamp.timestamp() * 1000)


def epoch_ms(when: dt.datetime) -> int:
    """Milliseconds since the epoch of ``when`` (a naive time is taken as UTC)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return round(aware.timestamp() * 1000)


def utc(ms: int) -> dt.datetime:
    """The aware UTC time of ``ms`` milliseconds since the epoch."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def as_text(value: Any) -> str | None:
    """A property value as stripped text; ``None`` for null or blank (an empty cell)."""
    if value is None:
        return None
    return str(value).strip() or None


@dataclass
class FieldPlan:
    """What to read for one object: real properties, derived fields, checks."""

    modified: str
    request: list[str] = field(default_factory=list)  # properties asked of the search
    checked: list[str] = field(default_factory=list)  # properties the portal must have
    associations: list[str] = field(default_factory=list)
    owner: bool = False
    entered: dict[str, tuple[str, str]] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, spec: ObjectSpec) -> FieldPlan:
        """Sort the names ``spec``'s profile reads into properties and derived fields."""
        plan = cls(modified_property(spec.api_object))
        real: list[str] = []
        for name in spec.properties:
            if name.startswith("associations."):
                plan.associations.append(name.split(".", 1)[1])
            elif name in ("owner.name", "owner.team"):
                plan.owner = True
            elif ENTERED in name:
                prop, value = name.split(ENTERED, 1)
                plan.entered[name] = (prop, value)
                plan.history.append(prop)
            elif name != "hs_object_id":
                real.append(name)
        plan.history = list(dict.fromkeys([*spec.history, *plan.history]))
        owner = ["hubspot_owner_id"] if plan.owner else []
        plan.checked = list(dict.fromkeys([*real, *owner, *plan.history, plan.modified]))
        merged = ["hs_merged_object_ids"] if spec.api_object in MERGING_OBJECTS else []
        plan.request = list(dict.fromkeys([*real, *owner, *merged, plan.modified]))
        return plan


def search_filter(prop: str, operator: str, value: int | str) -> Json:
    """One filter of a search request (``value`` as text: datetimes as epoch ms)."""
    return {"propertyName": prop, "operator": operator, "value": str(value)}


def earliest(changes: list[Json]) -> dict[str, str]:
    """Value -> the earliest timestamp text at which the property took it."""
    first: dict[str, tuple[int, str]] = {}
    for change in changes or []:
        value, stamp = as_text(change.get("value")), change.get("timestamp")
        ms = to_ms(stamp)
        if value is None or ms is None:
            continue
        if value not in first or ms < first[value][0]:
            first[value] = (ms, str(stamp))
    return {value: when for value, (_, when) in first.items()}


def owner_name(owner: Json | None) -> str | None:
    """An owner's "First Last" (``None`` without an owner or a name)."""
    if owner is None:
        return None
    return as_text(f"{owner.get('firstName') or ''} {owner.get('lastName') or ''}")


def owner_team(owner: Json | None) -> str | None:
    """An owner's primary team's name, else the first team's (``None``: no team)."""
    teams = [t for t in (owner or {}).get("teams") or [] if isinstance(t, dict)]
    primary = [t for t in teams if t.get("primary")] or teams
    return as_text(primary[0].get("name")) if primary else None
