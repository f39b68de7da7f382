"""The attack list as a whole: at least 80 bad inputs and faults, every class covered.

Gathers the ``ATTACKS`` of every ``tests/attacks/test_attacks_*.py`` module (each attack is run by
its own module) and prints the table the closing note reports: ``pytest -s -k attacks_summary``.
"""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

from attack_harness import CLASSES, Attack


def _all_attacks() -> list[Attack]:
    attacks: list[Attack] = []
    for path in sorted(Path(__file__).parent.glob("test_attacks_*.py")):
        if path.stem == "test_attacks_summary":
            continue
        attacks += importlib.import_module(path.stem).ATTACKS
    return attacks


def test_at_least_80_attacks_covering_every_class() -> None:
    attacks = _all_attacks()
    ids = [a.id for a in attacks]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert len(attacks) >= 80, len(attacks)
    missing = set(CLASSES) - {a.cls for a in attacks}
    assert not missing, missing
    table = Counter((a.cls, a.outcome) for a in attacks)
    print(f"\n{len(attacks)} attacks")
    for cls in CLASSES:
        row = {outcome: n for (c, outcome), n in table.items() if c == cls}
        print(f"  {cls:14} {sum(row.values()):3}  {row}")
