"""The agreed funnel: ``params/definitions.yml`` loaded and checked.

Stages are an ordered, configurable list (a company may have lead -> MQL -> SQL ->
opportunity -> won, or only MQL -> won). A stage is counted from the store's stage events
of the same key.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.errors import ConfigError
from reviewkit.workspace import Localized, Workspace, read_yaml, validation_message

Department = Literal["marketing", "inside_sales", "sales"]
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class Stage(BaseModel):
    """One funnel stage."""

    model_config = ConfigDict(extra="forbid")
    key: str
    label: Localized
    owner: Department
    description: Localized

    @field_validator("key")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(f"{value!r} must be snake_case letters, digits and _ (e.g. mql)")
        return value


class Kgi(BaseModel):
    """The goal the funnel serves (revenue won)."""

    model_config = ConfigDict(extra="forbid")
    key: Literal["revenue"] = "revenue"
    label: Localized
    owner: Department
    description: Localized


class Definitions(BaseModel):
    """The whole definitions file."""

    model_config = ConfigDict(extra="forbid")
    version: str
    agreed_by: list[Department] = Field(min_length=1)
    agreed_on: dt.date
    currency: str = "JPY"
    stages: list[Stage] = Field(min_length=1)
    kgi: Kgi

    @field_validator("stages")
    @classmethod
    def _unique(cls, stages: list[Stage]) -> list[Stage]:
        keys = [s.key for s in stages]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"stage keys must be unique; {dupes} appear more than once")
        return stages

    @property
    def stage_keys(self) -> list[str]:
        """Stage keys in funnel order."""
        return [s.key for s in self.stages]

    def stage(self, key: str) -> Stage:
        """Return the stage called ``key``."""
        for s in self.stages:
            if s.key == key:
                return s
        raise ConfigError(f"definitions: no stage {key!r}; stages are {self.stage_keys}")


def load_definitions(workspace: Workspace) -> Definitions:
    """Load and validate ``params/definitions.yml`` of ``workspace``.

    Raises
    ------
    ConfigError
        With the file, key, bad value and what is allowed.
    """
    path: Path = workspace.params_dir / "definitions.yml"
    raw = read_yaml(path)
    try:
        return Definitions.model_validate(raw or {})
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc)) from None
