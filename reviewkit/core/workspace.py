"""A workspace: a company's configuration (``params/``), store (``data/``), packs (``outputs/``).

Every command takes ``--workspace DIR``; without it the workspace is ``$REVIEWKIT_WORKSPACE``,
else the current directory or the nearest parent that has ``params/workspace.yml``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reviewkit.core.currency import check_currency
from reviewkit.core.holidays import (
    DEFAULT_COUNTRY,
    Break,
    DayCalendar,
    check_country,
    parse_break,
)
from reviewkit.core.periods import CADENCES, FiscalCalendar, FiscalYearLabel, WeekStart
from reviewkit.core.resources import bundled
from reviewkit.core.value_bounds import DatesConfig
from reviewkit.errors import ConfigError

CONFIG_FILE = Path("params") / "workspace.yml"
ENV_VAR = "REVIEWKIT_WORKSPACE"

Lang = Literal["ja", "en"]


class Localized(BaseModel):
    """A text in both pack languages."""

    model_config = ConfigDict(extra="forbid")
    ja: str
    en: str

    def __call__(self, lang: str) -> str:
        """Return the text in ``lang``."""
        return self.ja if lang == "ja" else self.en


class BreakConfig(BaseModel):
    """One of the company's own breaks (``breaks:`` in ``params/workspace.yml``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = ""
    first: dt.date | str = Field(alias="from")
    last: dt.date | str = Field(alias="to")

    @model_validator(mode="after")
    def _ends(self) -> BreakConfig:
        parse_break(self.first, self.last, name=self.name)
        return self

    def to_break(self) -> Break:
        """The checked break."""
        return parse_break(self.first, self.last, name=self.name)


class WorkspaceConfig(BaseModel):
    """``params/workspace.yml``: who the company is and how it counts time."""

    model_config = ConfigDict(extra="forbid")
    company: Localized
    lang: Lang = "ja"
    timezone: str = "Asia/Tokyo"
    fiscal_year_start_month: int = Field(4, ge=1, le=12)
    fiscal_year_label: FiscalYearLabel = "start"
    week_start: WeekStart = "monday"
    country: str = DEFAULT_COUNTRY
    subdivision: str | None = None
    breaks: list[BreakConfig] = Field(default_factory=list)
    currency: str = "JPY"  # ISO 4217: every amount in the store and in packs is in it
    # the plausible dates of imported rows (reviewkit.core.value_bounds)
    dates: DatesConfig = Field(default_factory=DatesConfig)
    store: str = "data/reviewkit.duckdb"
    outputs: str = "outputs"
    kernel: str = "reviewkit"
    execution_timeout_seconds: int = Field(600, gt=0, le=86_400)  # at most a day

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone (e.g. Asia/Tokyo, Europe/London)"
            ) from None
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        return check_currency(value)

    @field_validator("country", mode="before")
    @classmethod
    def _country_code(cls, value: object) -> str:
        return check_country(str(value))

    @field_validator("subdivision", mode="before")
    @classmethod
    def _subdivision_text(cls, value: object) -> str | None:
        text = "" if value is None else str(value).strip()
        return text or None


def validation_message(path: Path, exc: ValidationError) -> str:
    """Summarise a pydantic error in one line that names the file and the key."""
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    value = first.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    more = f"; and {len(exc.errors()) - 1} more" if len(exc.errors()) > 1 else ""
    return f"{path}: {key}: {first['msg']}{shown}{more}"


class Workspace:
    """A company's workspace folder.

    Parameters
    ----------
    root
        The folder that holds ``params/workspace.yml``.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        path = self.root / CONFIG_FILE
        from reviewkit.core.yaml_config import read_yaml  # lazy: PyYAML only when read

        raw = read_yaml(path)[0]
        try:
            self.config = WorkspaceConfig.model_validate(raw or {})
        except ValidationError as exc:
            raise ConfigError(validation_message(path, exc)) from None

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    @property
    def params_dir(self) -> Path:
        """The configuration folder."""
        return self.root / "params"

    @property
    def store_path(self) -> Path:
        """The DuckDB store file."""
        return self.root / self.config.store

    @property
    def outputs_dir(self) -> Path:
        """Where packs are written by default."""
        return self.root / self.config.outputs

    @property
    def calendar(self) -> FiscalCalendar:
        """The company's calendar: fiscal years, weeks and days off (country, breaks)."""
        c = self.config
        days = DayCalendar(
            country=c.country,
            subdivision=c.subdivision,
            breaks=tuple(b.to_break() for b in c.breaks),
            source=str(self.root / CONFIG_FILE),
        )
        return FiscalCalendar(
            c.fiscal_year_start_month,
            week_start=c.week_start,
            fiscal_year_label=c.fiscal_year_label,
            days=days,
        )

    def check_calendar(self) -> None:
        """Check that the ``holidays`` library knows ``country`` and ``subdivision``.

        Loading a workspace checks their shape only (the library takes about 0.1 s to load,
        which a kernel pays only when it computes seasonal weights).

        Raises
        ------
        ConfigError
            Naming the file, the key, the value and examples.
        """
        self.calendar.days.check()

    @property
    def tz(self) -> ZoneInfo:
        """The workspace time zone."""
        return ZoneInfo(self.config.timezone)

    def today(self) -> dt.date:
        """Today's date in the workspace time zone."""
        return dt.datetime.now(self.tz).date()

    @property
    def notebooks_dir(self) -> Path:
        """The workspace's own templates (``notebooks/``)."""
        return self.root / "notebooks"

    def template_path(self, name: str) -> Path:
        """The notebook template of a cadence or of an analyst's template.

        ``weekly``, ``monthly`` or ``quarterly``: the workspace's own
        ``notebooks/<cadence>_review.ipynb``, else the shipped one. Any other ``name`` (or
        ``NAME.ipynb``): ``notebooks/NAME.ipynb`` (see :mod:`reviewkit.review.templates`), which
        may not exist.
        """
        if name in CADENCES:
            file = f"{name}_review.ipynb"
            own = self.notebooks_dir / file
            return own if own.is_file() else bundled("notebooks") / file
        return self.notebooks_dir / f"{name.removesuffix('.ipynb')}.ipynb"


def find_workspace(path: str | os.PathLike[str] | None = None) -> Workspace:
    """Locate and load a workspace.

    Parameters
    ----------
    path
        An explicit workspace folder. Without it: ``$REVIEWKIT_WORKSPACE``, else the current
        directory or its nearest parent with ``params/workspace.yml``.

    Returns
    -------
    Workspace

    Raises
    ------
    ConfigError
        If no workspace is found or its configuration is invalid.
    """
    if path is None or str(path) == "":
        env = os.environ.get(ENV_VAR, "")
        if env:
            path = env
    if path is not None and str(path) != "":
        root = Path(path).expanduser()
        if not (root / CONFIG_FILE).is_file():
            raise ConfigError(
                f"workspace {str(root)!r}: no {CONFIG_FILE} there; create a workspace with "
                f"`reviewkit init {root}` or point --workspace at one"
            )
        return Workspace(root)
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return Workspace(candidate)
    raise ConfigError(
        f"no workspace found in {str(here)!r} or its parents (no {CONFIG_FILE}); "
        f"run `reviewkit init DIR`, pass --workspace DIR, or set {ENV_VAR}"
    )


def init_workspace(target: str | os.PathLike[str]) -> Workspace:
    """Create a workspace at ``target`` from the sample configuration.

    Copies the shipped ``params/`` and creates empty ``data/`` and ``outputs/``; an existing
    file is never overwritten.

    Raises
    ------
    ConfigError
        If ``target`` already holds a workspace.
    """
    root = Path(target).expanduser()
    if (root / CONFIG_FILE).exists():
        raise ConfigError(
            f"{root / CONFIG_FILE}: a workspace already exists there; edit it, or choose "
            "another folder"
        )
    source = bundled("params")
    (root / "params").mkdir(parents=True, exist_ok=True)
    for item in sorted(source.rglob("*")):
        dest = root / "params" / item.relative_to(source)
        if item.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif not dest.exists():
            shutil.copy2(item, dest)
    for sub in ("data", "outputs"):
        (root / sub).mkdir(exist_ok=True)
    return Workspace(root)
