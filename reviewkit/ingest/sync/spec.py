"""Sync profiles: which API objects a source reads and how each lands in the store.

A sync profile is YAML, validated like an import profile (file, line and key in every message).
reviewkit ships one for a standard HubSpot portal and one for a standard Salesforce org
(``reviewkit/ingest/sync/defaults/``); a workspace configures its sources in
``params/sources/sync/<name>.yml`` (a copy of a default, changed: a custom MQL date property,
a custom lead source). ``reviewkit sync all`` syncs every source configured there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reviewkit.core.resources import package_file
from reviewkit.core.workspace import Workspace
from reviewkit.core.yaml_config import read_yaml, validate_model
from reviewkit.errors import ConfigError
from reviewkit.ingest.profile import Profile
from reviewkit.ingest.sync.pages import ObjectSpec

__all__ = [
    "APIS",
    "SyncObject",
    "SyncSource",
    "configured_sources",
    "load_sync_source",
    "sync_dir",
]

APIS = ("hubspot", "salesforce")


class SyncObject(BaseModel):
    """One API object: its name, the API object, history to read, and its import profile."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    object: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    history: list[str] = Field(default_factory=list)
    where: str | None = None
    profile: Profile


class SyncSource(BaseModel):
    """A sync source (``params/sources/sync/<name>.yml``).

    ``stale_after_hours``: a source not synced for longer is a "watch" in the data-quality
    section and the checklist. ``overlap_minutes``: an incremental sync re-reads this much
    before its cursor (records saved while the last sync ran are not missed).
    ``retry_attempts`` and ``retry_budget_seconds``: how long one API call is retried on a
    rate limit, a server error or a dropped connection. ``batch_rows``: how many records are
    landed at a time (see :mod:`reviewkit.ingest.sync.engine`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    api: Literal["hubspot", "salesforce"]
    description: str = ""
    stale_after_hours: float = Field(default=36.0, gt=0)
    overlap_minutes: float = Field(default=10.0, ge=0, le=1440)
    # transient failures (429, 5xx, a dropped connection): tries per call, and seconds of
    # waiting allowed per call
    retry_attempts: int = Field(default=6, ge=1, le=20)
    retry_budget_seconds: float = Field(default=300.0, ge=0, le=3600)
    # records landed at a time (pages are gathered up to this many rows)
    batch_rows: int = Field(default=5_000, ge=1, le=100_000)
    objects: list[SyncObject] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _name_profiles(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("objects"), list):
            for entry in data["objects"]:
                if isinstance(entry, dict) and isinstance(entry.get("profile"), dict):
                    label = f"{data.get('name', 'sync')}-{entry.get('name', entry.get('object'))}"
                    entry["profile"].setdefault("name", label)
        return data

    @model_validator(mode="after")
    def _unique_objects(self) -> SyncSource:
        names = [o.name for o in self.objects]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"objects: the names {twice} appear more than once; rename them")
        return self

    def specs(self, only: list[str] | None = None) -> list[ObjectSpec]:
        """The objects to sync (all, or those named in ``only``, in the profile's order).

        Raises
        ------
        ConfigError
            When ``only`` names an object the profile does not have.
        """
        names = [o.name for o in self.objects]
        unknown = [n for n in only or [] if n not in names]
        if unknown:
            raise ConfigError(
                f"--object {unknown}: source {self.name!r} has no such object; use {names}"
            )
        return [
            ObjectSpec(o.name, o.object, o.profile, tuple(o.history), o.where)
            for o in self.objects
            if not only or o.name in only
        ]


def sync_dir(workspace: Workspace) -> Path:
    """The folder of a workspace's sync sources: ``params/sources/sync/``."""
    return workspace.params_dir / "sources" / "sync"


def configured_sources(workspace: Workspace) -> list[str]:
    """The names of the sources configured in ``params/sources/sync/`` (sorted)."""
    folder = sync_dir(workspace)
    return sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []


def load_sync_source(name: str, *, workspace: Workspace | None) -> SyncSource:
    """Load source ``name``: ``params/sources/sync/<name>.yml``, else a shipped default.

    Raises
    ------
    ConfigError
        If there is no such source (listing those there are) or the file is invalid.
    """
    own = sync_dir(workspace) / f"{name}.yml" if workspace is not None else None
    shipped = package_file("ingest", "sync", "defaults") / f"{name}.yml"
    path = own if own is not None and own.is_file() else shipped
    if not path.is_file():
        known = sorted(set(APIS) | set(configured_sources(workspace) if workspace else []))
        raise ConfigError(
            f"sync source {name!r}: no params/sources/sync/{name}.yml and no shipped default; "
            f"use one of {known} or create the file (see docs/sync.md)"
        )
    data, lines = read_yaml(path)
    if isinstance(data, dict):
        data.setdefault("name", name)
    return validate_model(SyncSource, path, data, lines)
