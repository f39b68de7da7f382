"""(b) Each pack against its floor: a template that only imports and reads its parameters.

A pack costs kernel start + imports (the floor) + compute + render. The floor template of a
cadence is generated from the real one at run time, so it cannot drift from it:

* the real template's ``parameters`` cell, verbatim (same names, defaults and tag);
* one cell that imports, in the same order, every module the real template's kernel ended up
  with: an explicit list measured by a probe run of the real template (with one extra cell
  that records ``sys.modules``) through the same runner.

The explicit list, not ``reviewkit.pack.kernel.import_pack_modules()``: that imports every module a
pack *may* use (what a batch worker's warm kernel pays once), about half again as many modules
as any one template needs (e.g. nbconvert, and scipy for the weekly pack), so it would make the
floor heavier and the ratio look better than it is. The probe runs double as warm-ups.

Both the pack and its floor run through ``reviewkit run`` (a fresh kernel each time, rendering
and publishing included); the floor's workspace is the same store and ``params/`` with its own
``notebooks/`` folder, which ``Workspace.template_path`` prefers to the shipped templates.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import nbformat
from bench_common import (
    AS_OF,
    CADENCES,
    REPO,
    Figure,
    published,
    ratio,
    reviewkit,
    seconds,
)

GOAL = 1.5  # a pack within 1.5x its floor (issue 10)
MODULES_FILE = "bench-modules.json"
SKIPPED = ("__main__", "__mp_main__")
PROBE = f"""\
import json as _json, sys as _sys
_modules = [_m for _m in _sys.modules if _m not in {SKIPPED!r}]
from reviewkit.core.context import PackContext as _Context
_Context.current().publish({MODULES_FILE!r}, _json.dumps(_modules))"""
IMPORTS = """\
# The floor: import what the real {cadence} template ends up importing, in its order.
import importlib

for _name in {modules}:
    try:
        importlib.import_module(_name)
    except Exception:  # e.g. a module that only exists as an alias
        pass"""


def real_template(cadence: str) -> Path:
    """The shipped template of ``cadence``."""
    return REPO / "notebooks" / f"{cadence}_review.ipynb"


def parameters_cell(notebook: Any) -> Any:
    """The cell tagged ``parameters``.

    Raises
    ------
    ValueError
        When the notebook has none.
    """
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    raise ValueError("the template has no cell tagged 'parameters'")


def probe_notebook(template: Path) -> Any:
    """The real template with one last cell that writes its kernel's modules to the pack folder."""
    notebook = nbformat.read(template, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    return notebook


def floor_notebook(template: Path, modules: list[str]) -> Any:
    """The floor of ``template``: its parameters cell, then one cell importing ``modules``."""
    real = nbformat.read(template, as_version=4)
    cadence = template.stem.removesuffix("_review")
    listed = "[\n" + "".join(f"    {m!r},\n" for m in modules) + "]"
    imports = nbformat.v4.new_code_cell(IMPORTS.format(cadence=cadence, modules=listed))
    return nbformat.v4.new_notebook(cells=[parameters_cell(real), imports], metadata=real.metadata)


def _share_store(demo: Path, root: Path) -> Path:
    """A workspace at ``root`` with ``demo``'s params and (linked) store, and a notebooks/."""
    import shutil

    (root / "data").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "outputs").mkdir()
    shutil.copytree(demo / "params", root / "params")
    (root / "data" / "reviewkit.duckdb").symlink_to(demo / "data" / "reviewkit.duckdb")
    return root


def probe_modules(demo: Path, scratch: Path) -> dict[str, list[str]]:
    """Run each real template once (with the probe cell) and read the modules it imported."""
    ws = _share_store(demo, scratch / "probe-ws")
    out = scratch / "probe-out"
    found = {}
    for cadence in CADENCES:
        nbformat.write(
            probe_notebook(real_template(cadence)), ws / "notebooks" / f"{cadence}_review.ipynb"
        )
        reviewkit("run", cadence, "--as-of", AS_OF, "--output-dir", out, "--workspace", ws, cwd=ws)
        path = published(out, cadence, MODULES_FILE)
        found[cadence] = json.loads(path.read_text(encoding="utf-8"))
    return found


def floor_workspace(store_ws: Path, root: Path, modules: dict[str, list[str]]) -> Path:
    """A workspace sharing ``store_ws``'s store whose templates are the floors."""
    ws = _share_store(store_ws, root)
    for cadence, names in modules.items():
        notebook = floor_notebook(real_template(cadence), names)
        nbformat.write(notebook, ws / "notebooks" / f"{cadence}_review.ipynb")
    return ws


def time_run(ws: Path, cadence: str, out: Path, *, memory: bool = False) -> Any:
    """``reviewkit run CADENCE`` of the demo date in ``ws``, timed."""
    return reviewkit(
        "run",
        cadence,
        "--as-of",
        AS_OF,
        "--output-dir",
        out,
        "--workspace",
        ws,
        cwd=ws,
        memory=memory,
    )


def measure(
    demo: Path, scratch: Path, *, rounds: int
) -> tuple[list[Figure], dict[str, list[str]], Path]:
    """Median pack and floor times per cadence, interleaved so drift hits both alike.

    Returns
    -------
    tuple
        The figures, the modules of each cadence (for the floors at scale), and the output
        folder of the real packs (for the browser benchmark).
    """
    modules = probe_modules(demo, scratch)
    floor_ws = floor_workspace(demo, scratch / "floor-ws", modules)
    packs_out, floors_out = scratch / "packs", scratch / "floors"
    figures = []
    for cadence in CADENCES:
        packs, floors = [], []
        for _ in range(rounds):
            packs.append(time_run(demo, cadence, packs_out).seconds)
            floors.append(time_run(floor_ws, cadence, floors_out).seconds)
        pack, floor = statistics.median(packs), statistics.median(floors)
        n = len(modules[cadence])
        what = f"median of {rounds}"
        figures += [
            Figure("b", f"{cadence} pack: reviewkit run ({what})", seconds(pack)),
            Figure("b", f"{cadence} floor: parameters + {n} imports ({what})", seconds(floor)),
            Figure(
                "b",
                f"{cadence} pack / floor",
                ratio(pack / floor),
                f"≤ {GOAL}x",
                pack / floor <= GOAL,
            ),
        ]
    return figures, modules, packs_out
