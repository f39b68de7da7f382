"""Time the walking skeleton: sample generation, each pack, and the naive papermill CLI floor.

Run with ``make bench``. Prints a table; timing goals live here, not in tests.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from reviewkit.runner import run_pack
from reviewkit.sample_company import write_sample
from reviewkit.workspace import init_workspace

ROUNDS = 3


def main() -> int:
    """Run the benchmark and print the results."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        t0 = time.perf_counter()
        counts = write_sample(str(ws.store_path))
        sample_s = time.perf_counter() - t0
        print(f"sample company: {sample_s:.2f} s, {counts['leads']:,} lead records, "
              f"store {ws.store_path.stat().st_size / 1e6:.1f} MB")  # fmt: skip
        for cadence in ("weekly", "monthly", "quarterly"):
            times = []
            for _ in range(ROUNDS):
                result = run_pack(cadence, as_of="2026-11-23", workspace=ws)
                times.append(result.seconds)
            size = result.pack.stat().st_size / 1e3
            print(f"{cadence:>9} pack: median {statistics.median(times):.2f} s over {ROUNDS} "
                  f"(min {min(times):.2f}), {size:.0f} kB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
