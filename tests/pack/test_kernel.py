"""What a warm kernel imports ahead of its packs."""

from __future__ import annotations

from reviewkit.pack.kernel import NOT_IN_PACKS, pack_module_names


def test_a_warm_kernel_imports_the_modules_below_the_runner_and_no_command_line() -> None:
    names = pack_module_names()
    assert len(names) == len(set(names))
    for wanted in ("reviewkit.review.base", "reviewkit.present.charts.house",
                   "reviewkit.semantic.funnel", "reviewkit.i18n.texts"):  # fmt: skip
        assert wanted in names
    for name in names:
        inner = name.removeprefix("reviewkit.")
        assert not any(inner == x or inner.startswith(f"{x}.") for x in NOT_IN_PACKS), name
