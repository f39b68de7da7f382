"""What a cluster worker builds packs from: the workspace's settings, templates and store.

A worker on another machine has no access to the head's files. The head describes what the
packs read (:func:`describe_bundle`: ``params/`` but its import sources, the workspace's own
``notebooks/``, the templates the plans name and the store, each with its SHA-256) and sends
it in chunks; each worker writes it once to its own folder (:func:`materialize`), named by the
bundle's digest, and opens the store read-only there. A plan made on the head is then rebased
onto that copy (:func:`rebase_plan`): the template and the ``workspace`` parameter point into
it, the pack is built into a scratch output folder, and what it published goes back to the
head as bytes (:func:`collect_files`), which publishes it atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reviewkit.errors import RunFailedError

PLUGIN = "reviewkit"  # the worker plugin's name on every worker
TOPIC = "reviewkit"  # the event topic the head subscribes to (a pack started, a retry)
CHUNK_BYTES = 32 * 1024 * 1024  # the store goes in pieces of this size
TEMPLATES = "_templates"  # the plans' templates, in the bundle, by their digest
_SKIPPED_PARAMS = ("sources",)  # import sources and their data: packs never read them


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle: where it goes (relative to the copy), its size and digest."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Bundle:
    """A workspace as a worker needs it; ``digest`` names it (and the worker's copy)."""

    digest: str
    files: tuple[BundleFile, ...]
    store: str  # the store's path inside the copy
    sources: tuple[str, ...]  # the head's path of each file, in ``files`` order
    store_moved: bool = False  # the head's store lies outside its workspace: the copy's does not
    shared_store: bool = False  # workers copy the store from its path (a shared folder)

    @property
    def size(self) -> int:
        """Bytes in all."""
        return sum(f.size for f in self.files)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def template_key(ws: Any, template: Path) -> str:
    """Where a plan's template is in the bundle (the workspace's own, or a shipped one)."""
    if template.is_relative_to(ws.root):
        return template.relative_to(ws.root).as_posix()
    return f"{TEMPLATES}/{template.name}"


def describe_bundle(ws: Any, *, shared_store: bool = False) -> Bundle:
    """The bundle of a workspace (read on the head, before anything is sent).

    It holds ``params/`` (but its import sources), the workspace's ``notebooks/``, the
    shipped templates (a worker runs exactly the template the head fingerprinted) and the
    store. ``shared_store``: the store is not sent; each worker copies it from the same path
    (a folder every machine mounts) and checks it is the head's.
    """
    from reviewkit.core.resources import bundled

    root = ws.root
    found: dict[str, Path] = {}
    for folder in (ws.params_dir, ws.notebooks_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root)
            skipped = relative.parts[0] == "params" and relative.parts[1] in _SKIPPED_PARAMS
            if path.is_file() and not skipped:
                found[relative.as_posix()] = path
    for template in sorted(bundled("notebooks").glob("*.ipynb")):
        found[f"{TEMPLATES}/{template.name}"] = template
    store = ws.store_path
    store_key = (
        store.relative_to(root).as_posix() if store.is_relative_to(root) else (f"data/{store.name}")
    )
    found[store_key] = store
    wal = store.with_name(store.name + ".wal")
    if wal.is_file():
        found[store_key + ".wal"] = wal
    files = tuple(BundleFile(k, p.stat().st_size, _sha256(p)) for k, p in sorted(found.items()))
    digest = hashlib.sha256(
        "\n".join(f"{f.path} {f.size} {f.sha256}" for f in files).encode()
    ).hexdigest()
    sources = tuple(str(found[f.path]) for f in files)
    return Bundle(
        digest[:24], files, store_key, sources, not store.is_relative_to(root), shared_store
    )


def _is_store(bundle: Bundle, path: str) -> bool:
    return path in {bundle.store, bundle.store + ".wal"}


def chunks(bundle: Bundle) -> Iterator[tuple[int, int, bytes]]:
    """The bundle's bytes as ``(file index, offset, data)`` pieces of :data:`CHUNK_BYTES`."""
    for index, source in enumerate(bundle.sources):
        if bundle.shared_store and _is_store(bundle, bundle.files[index].path):
            continue  # each worker reads it from the shared folder
        with Path(source).open("rb") as handle:
            offset = 0
            while True:
                data = handle.read(CHUNK_BYTES)
                if not data and offset:
                    break
                yield index, offset, data
                offset += len(data)
                if len(data) < CHUNK_BYTES:
                    break


def materialize(bundle: Bundle, pieces: list[tuple[int, int, bytes]], folder: Path) -> Path:
    """Write the bundle under ``folder`` once (a worker's copy); the copy's root.

    The copy is written beside its final place, checked against every digest and renamed
    into place, so a worker killed half-way never leaves a copy that looks whole.

    Raises
    ------
    RunFailedError
        A file arrived damaged (its digest differs).
    """
    root = folder / bundle.digest
    if (root / ".complete").is_file():
        return root
    partial = folder / f".{bundle.digest}.{os.getpid()}-{uuid.uuid4().hex[:6]}"
    try:
        for index, offset, data in pieces:
            target = partial / bundle.files[index].path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("r+b" if offset else "wb") as handle:
                handle.seek(offset)
                handle.write(data)
        for item, source in zip(bundle.files, bundle.sources, strict=True):
            path = partial / item.path
            path.parent.mkdir(parents=True, exist_ok=True)
            if bundle.shared_store and _is_store(bundle, item.path):
                _copy_shared(Path(source), path)
            path.touch()
            if _sha256(path) != item.sha256:
                raise RunFailedError(
                    f"the store at {source} differs from the one the batch planned with; "
                    "every machine must mount the same folder (or leave out --shared-store)"
                    if bundle.shared_store and _is_store(bundle, item.path) else
                    f"the workspace copy sent to this worker is damaged ({item.path}); the "
                    "batch sends it again on its next run"
                )  # fmt: skip
        if bundle.store_moved:
            _point_store(partial, bundle.store)
        (partial / ".complete").write_text(bundle.digest, encoding="ascii")
        with contextlib.suppress(OSError):  # another task of this worker was first: keep it
            partial.rename(root)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    _prune(folder, keep=bundle.digest)
    return root


def _copy_shared(source: Path, target: Path) -> None:
    """Copy the store from the shared folder (``--shared-store``).

    Raises
    ------
    RunFailedError
        The worker cannot read it there.
    """
    try:
        shutil.copyfile(source, target)
    except OSError as exc:
        raise RunFailedError(
            f"--shared-store: this worker cannot read the store at {source} ({exc.strerror}); "
            "mount the shared folder at the same path on every worker, or leave out "
            "--shared-store to send each worker a copy"
        ) from None


def _point_store(copy: Path, store: str) -> None:
    """Point the copy's ``params/workspace.yml`` at the store inside the copy."""
    import yaml

    from reviewkit.core.workspace import CONFIG_FILE
    from reviewkit.core.yaml_config import read_yaml

    path = copy / CONFIG_FILE
    config = read_yaml(path)[0] or {}  # the head read it already: it is a valid file
    config["store"] = store
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _prune(folder: Path, *, keep: str) -> None:
    """Remove the copies of earlier stores (a worker keeps only the current one)."""
    for other in folder.iterdir():
        if other.is_dir() and other.name != keep and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)


def rebase_plan(plan: Any, *, copy: Path, out: Path, template: str) -> Any:
    """The head's plan, rebased onto a worker's copy, building into the scratch ``out``.

    ``template`` is the plan's template in the copy (:func:`template_name`, worked out on
    the head). The manifest stays the head's (it records where the pack was planned), so a
    pack built on a cluster carries the same manifest and fingerprint as one built locally.
    """
    target = out / plan.target.relative_to(plan.out)
    values = {**plan.values, "workspace": str(copy)}
    return replace(
        plan, out=out, target=target, values=values, workspace=copy, template=copy / template
    )


def collect_files(out: Path) -> dict[str, bytes]:
    """Every file a build wrote under the scratch output folder, by its relative path."""
    found: dict[str, bytes] = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out)
        if path.is_file() and relative.parts[0] not in {"_staging", "_logs"}:
            found[relative.as_posix()] = path.read_bytes()
    return found
