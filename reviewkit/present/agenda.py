"""Each cadence's meeting agenda: the pack's sections, in order, with their time boxes.

Reporting is short; analysis and decisions get the room. The pack's table of contents is the
agenda, and its section headings carry the numbers and minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.errors import ParameterError


@dataclass(frozen=True)
class Item:
    """One agenda item: a pack section and its time box in minutes."""

    key: str
    minutes: int


AGENDAS: dict[str, tuple[Item, ...]] = {
    "weekly": (
        Item("summary", 2), Item("kpi_status", 5), Item("deviations", 5),
        Item("decisions", 2), Item("actions", 1),
    ),
    "monthly": (
        Item("summary", 5), Item("kpi_status", 10), Item("deviations", 25),
        Item("decisions", 15), Item("actions", 5),
    ),
    "quarterly": (
        Item("summary", 5), Item("kpi_status", 15), Item("deviations", 30),
        Item("decisions", 30), Item("actions", 10),
    ),
}  # fmt: skip
APPENDIX = ("glossary",)


def agenda(cadence: str) -> tuple[Item, ...]:
    """The agenda of ``cadence``."""
    try:
        return AGENDAS[cadence]
    except KeyError:
        raise ParameterError(
            f"cadence: {cadence!r} has no agenda; use one of {sorted(AGENDAS)}"
        ) from None


def total_minutes(cadence: str) -> int:
    """The meeting's length."""
    return sum(item.minutes for item in agenda(cadence))


def position(cadence: str, key: str) -> tuple[int, Item] | None:
    """``(number, item)`` of a section in the agenda, or ``None`` for an appendix."""
    for number, item in enumerate(agenda(cadence), start=1):
        if item.key == key:
            return number, item
    if key in APPENDIX:
        return None
    raise ParameterError(
        f"section {key!r} is not on the {cadence} agenda; sections are "
        f"{[i.key for i in agenda(cadence)] + list(APPENDIX)}"
    )
