"""What the runner tells a pack's kernel: one typed object, read from one environment variable.

While a template executes for a pack, the runner writes a :class:`PackContext` (the staging
folder, the pack's language and label) to a JSON file in the staging folder and sets
:data:`CONTEXT_ENV` to that file's path in the kernel's environment. Code in the kernel asks
:meth:`PackContext.current` (``None`` in JupyterLab and scripts): charts render for a pack
(:func:`in_pack`), and a section that publishes a file next to the pack (``proposals.json``,
the quarterly draft targets) writes it through :meth:`PackContext.publish`, which records its
name. The runner publishes exactly the files recorded, and returns their names in its result;
nothing else a template leaves in the folder is published.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from reviewkit.core.atomic import write_text_atomic
from reviewkit.errors import ParameterError

#: The one environment variable of a pack's kernel: the path of its context file.
CONTEXT_ENV = "REVIEWKIT_PACK_CONTEXT"
#: The context file, in the staging folder (never published).
CONTEXT_FILE = ".pack-context.json"
#: The names of the files published through the context, one a line (never published).
FILES_RECORD = ".pack-files"
#: Files the runner itself writes next to a pack: a template may not publish these names.
PACK_FILES = ("notebook.ipynb", "manifest.json", "pack.html")


@dataclass(frozen=True)
class PackContext:
    """The pack being built, as its kernel sees it.

    Parameters
    ----------
    folder
        The staging folder: the pack and the files it publishes are written here first.
    lang
        The pack's language.
    label
        The pack in messages (``monthly 2026-10 (ja)``).
    """

    folder: Path
    lang: str = ""
    label: str = ""

    @property
    def path(self) -> Path:
        """The context file (what :data:`CONTEXT_ENV` names)."""
        return self.folder / CONTEXT_FILE

    def write(self) -> Path:
        """Write the context file into the staging folder; return its path."""
        record = {"folder": str(self.folder), "lang": self.lang, "label": self.label}
        write_text_atomic(self.path, json.dumps(record, ensure_ascii=False))
        return self.path

    @classmethod
    def read(cls, path: Path) -> PackContext:
        """The context written at ``path`` (see :meth:`write`)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(Path(data["folder"]), lang=data.get("lang", ""), label=data.get("label", ""))

    @classmethod
    def current(cls) -> PackContext | None:
        """The context of the pack this kernel builds; ``None`` outside a pack build."""
        value = os.environ.get(CONTEXT_ENV)
        return cls.read(Path(value)) if value else None

    def publish(self, name: str, text: str) -> Path:
        """Write ``text`` as the file ``name`` next to the pack, and record it for publishing.

        Parameters
        ----------
        name
            A plain file name (no folder), not one of the runner's own (:data:`PACK_FILES`).
        text
            The file's content (written atomically, UTF-8).

        Returns
        -------
        pathlib.Path
            The file written in the staging folder.

        Raises
        ------
        ParameterError
            A name with a folder, a hidden name or one of the runner's own.
        """
        path = self.folder / self.check_name(name)
        write_text_atomic(path, text)
        self.register(name)
        return path

    def register(self, name: str) -> None:
        """Record a file written into :attr:`folder` by its maker as one to publish."""
        self.check_name(name)
        with (self.folder / FILES_RECORD).open("a", encoding="utf-8") as record:
            record.write(name + "\n")

    def published(self) -> list[str]:
        """The files recorded for publishing that are still there, sorted (once each)."""
        try:
            lines = (self.folder / FILES_RECORD).read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return sorted({n for n in lines if n and (self.folder / n).is_file()})

    @staticmethod
    def check_name(name: str) -> str:
        """``name`` if a pack may publish a file of that name (see :meth:`publish`)."""
        if not name or name != Path(name).name or name.startswith(".") or name in PACK_FILES:
            raise ParameterError(
                f"{name!r}: not a file name a pack can publish; give a plain name such as "
                "proposals.json (no folder, not hidden, not one of " + ", ".join(PACK_FILES) + ")"
            )
        return name


def in_pack() -> bool:
    """Whether this runs inside a pack build (the runner set :data:`CONTEXT_ENV`).

    JupyterLab and scripts have no context: charts render for them, not for a pack.
    """
    return bool(os.environ.get(CONTEXT_ENV))
