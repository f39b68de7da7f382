"""Start the project's Jupyter kernel without the optional imports packs never use.

jsonschema (under altair and nbformat) imports ``rfc3987_syntax`` when it is installed, to
check ``iri`` formats; that import compiles dozens of Lark grammars and costs about a second
on every kernel start. Packs never validate IRIs, so the kernel spec ``make demo`` registers
starts kernels with this module (``python -m reviewkit.kernel_launcher -f {connection_file}``),
which makes those optional modules unavailable and then starts ipykernel as usual. The CLI
does the same for itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Optional modules whose absence the importing library handles (it skips that check).
OPTIONAL = ("rfc3987_syntax",)


def block_optional_imports() -> None:
    """Make :data:`OPTIONAL` modules unimportable in this process (unless already imported)."""
    for name in OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def use_launcher(kernel_json: Path) -> None:
    """Point an installed kernel spec at this launcher (``make`` runs it after installing)."""
    spec = json.loads(kernel_json.read_text(encoding="utf-8"))
    argv = list(spec["argv"])
    if "ipykernel_launcher" in argv:
        argv[argv.index("ipykernel_launcher")] = "reviewkit.kernel_launcher"
    spec["argv"] = argv
    kernel_json.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    """Start an IPython kernel (``-f CONNECTION_FILE``), or ``--install KERNEL_JSON``."""
    if sys.argv[1:2] == ["--install"]:
        use_launcher(Path(sys.argv[2]))
        return
    if sys.path and sys.path[0] == "":  # as ipykernel_launcher: not the folder it starts in
        del sys.path[0]
    block_optional_imports()
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
