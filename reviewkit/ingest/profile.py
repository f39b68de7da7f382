"""Import profiles: how one kind of export file maps onto the store.

A profile is YAML. reviewkit ships profiles for HubSpot and Salesforce exports
(``reviewkit/ingest/profiles/*.yml``); a company adds its own under ``params/sources/`` in the same
form (the *generic* profile), e.g. for Marketo, SATORI or kintone exports. Each row of a file
becomes one record of the profile's ``record`` kind: a lead, an opportunity, a campaign (what was
spent, when) or an activity (a touch of a lead). Every key is documented, with an example, in
``docs/import.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reviewkit.core.config_paths import check_lookup_name, check_profile_path
from reviewkit.core.resources import package_file
from reviewkit.core.workspace import Workspace
from reviewkit.core.yaml_config import read_yaml, validate_model
from reviewkit.errors import ConfigError

LEAD_COLUMNS = (
    "created_at", "email", "company_name", "company_domain", "channel", "campaign_id",
    "content_asset", "industry", "company_size", "region", "persona", "sales_team", "score",
)  # fmt: skip
OPPORTUNITY_COLUMNS = (
    "lead_id", "amount", "currency", "created_at", "closed_at", "stage", "sales_team",
)  # fmt: skip
CAMPAIGN_COLUMNS = (
    "name", "channel", "content_asset", "start_date", "end_date", "cost", "currency",
)  # fmt: skip
ACTIVITY_COLUMNS = ("lead_id", "activity_type", "occurred_at", "team", "is_human")
#: The record kinds a profile may import, with the store columns ``columns:`` may map.
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": LEAD_COLUMNS,
    "opportunities": OPPORTUNITY_COLUMNS,
    "campaigns": CAMPAIGN_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
}
RecordKind = Literal["leads", "opportunities", "campaigns", "activities"]


class Lookup(BaseModel):
    """Another file joined to each row, e.g. accounts by account name.

    ``file`` is relative to the imported file's folder, and stays in it (no absolute path, no
    ``..``); ``match`` maps a column of the imported file to the lookup file's key column;
    ``columns`` names the lookup columns to bring in (new name -> lookup column), which
    ``columns:`` of the profile can then map.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str
    match: dict[str, str] = Field(min_length=1, max_length=1)
    columns: dict[str, str] = Field(min_length=1)

    @field_validator("file")
    @classmethod
    def _inside_the_folder(cls, value: str) -> str:
        return check_lookup_name(value)


class Profile(BaseModel):
    """One export layout.

    ``columns`` maps a store column to the file column(s) that hold it (the first present
    wins); ``values`` maps file values to store values per store column (e.g. HubSpot's
    ``Paid Search`` -> ``paid_search``); ``defaults`` gives a store value for a column the file
    lacks or leaves blank; ``stages`` maps a stage key of the definitions to the file column
    with the date the record entered it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    source_system: str
    record: RecordKind
    # the record's id column(s): the first present; activities may go without (an id is made
    # from the row's content)
    id: list[str] = Field(default_factory=list)
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)
    stages: dict[str, str] = Field(default_factory=dict)
    won: list[str] = Field(default_factory=list)
    lost: list[str] = Field(default_factory=list)
    # the open stages; when given, a stage value in none of won/lost/open is rejected
    open: list[str] = Field(default_factory=list)
    opportunity_stage: str | None = "opportunity"
    # the stage a lead made from an opportunity (lead_columns) enters when it is created;
    # None: the funnel's first stage
    lead_stage: str | None = None
    won_stage: str | None = "won"
    lookups: list[Lookup] = Field(default_factory=list)
    # for opportunity files without a lead file: each opportunity also upserts its lead, with
    # these lead columns (store column -> file column) and the opportunity's creation time
    lead_columns: dict[str, str | list[str]] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=list)
    dayfirst: bool = False
    timezone: str | None = None
    currency: str | None = None
    # the decimal mark of amounts: "," for 1.234,56 € or R$ 1.234,56
    decimal: Literal[".", ","] = "."
    encoding: str | None = None
    # .xlsx: the sheet with the data, by name or 0-based position (default: the first)
    sheet: str | int | None = None
    # activities: the source system whose lead ids the lead_id column holds (default: this one)
    lead_source_system: str | None = None
    # activities: the activity types a person makes (is_human); default: every touch is human
    human_types: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_record(self) -> Profile:
        if not self.id and self.record != "activities":
            raise ValueError(
                f"id is missing; a {self.record} profile names its id column(s), e.g. "
                "`id: [Record ID]` (only activities may go without)"
            )
        only = {"lead_source_system": self.lead_source_system, "human_types": self.human_types}
        for key, value in only.items():
            if value and self.record != "activities":
                raise ValueError(f"{key} is for activities profiles, not {self.record}; remove it")
        allowed = RECORD_COLUMNS[self.record]
        for key, mapping in (("columns", self.columns), ("defaults", self.defaults)):
            bad = [c for c in mapping if c not in allowed]
            if bad:
                raise ValueError(
                    f"{key}: {bad} are not {self.record} columns of the store; use {list(allowed)}"
                )
        if self.record == "activities" and not self.candidates("lead_id"):
            raise ValueError(
                "columns.lead_id is missing; an activities profile maps the column with the "
                "touched lead's id, e.g. `lead_id: Lead ID`"
            )
        return self

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
    return package_file("ingest", "profiles")


def profile_paths(workspace: Workspace | None) -> dict[str, Path]:
    """Every profile by name: the shipped ones, then the workspace's ``params/sources/``."""
    paths = {p.stem: p for p in sorted(_builtin_dir().glob("*.yml"))}
    if workspace is not None:
        own = workspace.params_dir / "sources"
        if own.is_dir():
            # params/sources/sync/ holds sync sources (reviewkit.ingest.sync.spec), not profiles
            found = [
                p
                for p in sorted(own.glob("**/*.yml"))
                if "sync" not in p.relative_to(own).parts[:-1]
            ]
            paths.update({p.stem: p for p in found})
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
    if workspace is not None:
        check_profile_path(path, workspace_root=workspace.root, shipped=_builtin_dir(),
                           option="--profile")  # fmt: skip
    data, lines = read_yaml(path)
    if isinstance(data, dict):
        data.setdefault("name", path.stem)
    return validate_model(Profile, path, data, lines)
