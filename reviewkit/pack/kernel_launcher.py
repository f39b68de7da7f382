"""Start the project's Jupyter kernel without paying for imports packs never use.

jsonschema (under altair and nbformat) imports the optional ``rfc3987_syntax`` IRI checker
when it is installed, and that import builds some forty Lark grammars: about a second on every
kernel start. The kernel spec ``make demo`` registers starts kernels with this module
(``python -m reviewkit.pack.kernel_launcher -f {connection_file}``), which puts a stand-in for it in
place first (:func:`reviewkit.core.lazy_imports.defer_iri_grammar`: the real module loads on first
use) and then starts ipykernel as usual. The CLI and batch workers do the same for themselves.

A kernel dies with the process that started it (a batch worker, ``reviewkit run``): Linux
sends it SIGKILL when that process ends, even by ``kill -9``, so no kernel is left holding the
store's lock (ipykernel's own parent poller does the same within a second elsewhere).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from reviewkit.core.lazy_imports import defer_iri_grammar


def use_launcher(kernel_json: Path) -> None:
    """Point an installed kernel spec at this launcher (``make`` runs it after installing)."""
    spec = json.loads(kernel_json.read_text(encoding="utf-8"))
    argv = list(spec["argv"])
    for old in ("ipykernel_launcher", "reviewkit.kernel_launcher"):  # the latter: before 0.2
        if old in argv:
            argv[argv.index(old)] = "reviewkit.pack.kernel_launcher"
    spec["argv"] = argv
    kernel_json.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    """Start an IPython kernel (``-f CONNECTION_FILE``), or ``--install KERNEL_JSON``."""
    if sys.argv[1:2] == ["--install"]:
        use_launcher(Path(sys.argv[2]))
        return
    if sys.path and sys.path[0] == "":  # as ipykernel_launcher: not the folder it starts in
        del sys.path[0]
    parent = os.environ.get("JPY_PARENT_PID", "")
    if parent.isdigit():  # started by a kernel manager, not by hand
        from reviewkit.core.interrupts import die_with_parent

        die_with_parent(signal.SIGKILL, parent=int(parent))
    defer_iri_grammar()
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
