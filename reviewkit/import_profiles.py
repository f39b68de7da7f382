"""Import profiles: how one kind of export file maps onto the store.

A profile is YAML. reviewkit ships profiles for HubSpot and Salesforce exports
(``reviewkit/profiles/*.yml``); a company adds its own under ``params/sources/`` in the same
form (the *generic* profile), e.g. for Marketo, SATORI or kintone exports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewkit.errors import ConfigError
from reviewkit.resources import package_file
from reviewkit.workspace import Workspace
from reviewkit.yaml_config import read_yaml, validate_model

LEAD_COLUMNS = (
    "created_at", "email", "company_name", "company_domain", "channel", "campaign_id",
    "content_asset", "industry", "company_size", "region", "persona", "sales_team", "score",
)  # fmt: skip
OPPORTUNITY_COLUMNS = (
    "lead_id", "amount", "currency", "created_at", "closed_at", "stage", "sales_team",
)  # fmt: skip


class Lookup(BaseModel):
    """Another file joined to each row, e.g. accounts by account name.

    ``file`` is relative to the imported file's folder; ``match`` maps a column of the imported
    file to the lookup file's key column; ``columns`` names the lookup columns to bring in
    (new name -> lookup column), which ``columns:`` of the profile can then map.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str
    match: dict[str, str] = Field(min_length=1, max_length=1)
    columns: dict[str, str] = Field(min_length=1)


class Profile(BaseModel):
    """One export layout.

    ``columns`` maps a store column to the file column(s) that hold it (the first present
    wins); ``values`` maps file values to store values per store column (e.g. HubSpot's
    ``Paid Search`` -> ``paid_search``); ``stages`` maps a stage key of the definitions to the
    file column with the date the record entered it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    source_system: str
    record: Literal["leads", "opportunities"]
    id: list[str] = Field(min_length=1)
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    stages: dict[str, str] = Field(default_factory=dict)
    won: list[str] = Field(default_factory=list)
    lost: list[str] = Field(default_factory=list)
    # the open stages; when given, a stage value in none of won/lost/open is rejected
    open: list[str] = Field(default_factory=list)
    opportunity_stage: str | None = "opportunity"
    won_stage: str | None = "won"
    lookups: list[Lookup] = Field(default_factory=list)
    # for opportunity files without a lead file: each opportunity also upserts its lead, with
    # these lead columns (store column -> file column) and the opportunity's creation time
    lead_columns: dict[str, str | list[str]] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=list)
    dayfirst: bool = False
    timezone: str | None = None
    currency: str | None = None
    encoding: str | None = None

    def candidates(self, store_column: str) -> list[str]:
        """The file columns that may hold ``store_column``, in order of preference."""
        value = self.columns.get(store_column, [])
        return [value] if isinstance(value, str) else list(value)

    @property
    def header_hint(self) -> list[str]:
        """Every file column the profile names (to find the header row)."""
        looked_up = {name for lookup in self.lookups for name in lookup.columns}
        names = list(self.id) + list(self.stages.values())
        for mapping in (self.columns, self.lead_columns):
            for value in mapping.values():
                names += [value] if isinstance(value, str) else list(value)
        return [n for n in names if n not in looked_up]


def _builtin_dir() -> Path:
    return package_file("profiles")


def profile_paths(workspace: Workspace | None) -> dict[str, Path]:
    """Every profile by name: the shipped ones, then the workspace's ``params/sources/``."""
    paths = {p.stem: p for p in sorted(_builtin_dir().glob("*.yml"))}
    if workspace is not None:
        own = workspace.params_dir / "sources"
        if own.is_dir():
            paths.update({p.stem: p for p in sorted(own.glob("**/*.yml"))})
    return paths


def load_profile(name: str, *, workspace: Workspace | None) -> Profile:
    """Load profile ``name`` (a shipped name, a name under ``params/sources/``, or a path).

    Raises
    ------
    ConfigError
        If there is no such profile (listing those there are) or it is invalid.
    """
    candidate = Path(name)
    if candidate.suffix in (".yml", ".yaml") and candidate.is_file():
        path = candidate
    else:
        paths = profile_paths(workspace)
        if name not in paths:
            raise ConfigError(
                f"--profile {name!r}: no such profile; use one of {sorted(paths)} or a "
                "YAML file (see docs/import.md)"
            )
        path = paths[name]
    data, lines = read_yaml(path)
    if isinstance(data, dict):
        data.setdefault("name", path.stem)
    return validate_model(Profile, path, data, lines)
