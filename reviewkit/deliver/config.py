"""``params/delivery.yml``: who receives which pack, by e-mail or chat, after a batch builds it.

::

    site:                              # optional: where the packs are published for reading
      url: https://reviews.example.co.jp/packs   # links in messages start here
      dir: /srv/www/reviewkit          # `reviewkit publish` lays the packs out here per audience
    smtp:                              # needed when an audience has e-mail addresses
      host: smtp.example.co.jp
      port: 587
      security: starttls               # starttls, ssl or none
      user: reviewkit@example.co.jp    # password: $REVIEWKIT_SMTP_PASSWORD (or password_env)
      sender: "reviewkit <reviewkit@example.co.jp>"
    operator:                          # gets one message listing a batch's failures
      email: [ops@example.co.jp]
      lang: ja
    audiences:
      - name: managers                 # a folder name on the site: letters, digits, - and _
        packs: company                 # an entry of schedule.yml
        langs: [ja]                    # default: the entry's languages
        email: [ceo@example.co.jp, cmo@example.co.jp]
        slack: SLACK_WEBHOOK_MANAGERS  # the variable holding the webhook URL, never the URL
        attach: link                   # html (the single-file pack), pdf, or link (no file)
        resend: period                 # each period's pack once (default); build: every
                                       # rebuild from new inputs (a new review date is one)
      - name: team-b
        packs: teams
        segments: [Team B]             # default: every segment of the entry
        email: [lead-b@example.co.jp]
        pdf: true                      # also attach a PDF (A4 landscape, charts drawn)

Every audience is checked against the schedule: an entry, a segment, a cadence or a language
the schedule does not build is an error naming the file, line and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from reviewkit.core.retry import RetryPolicy
from reviewkit.core.yaml_config import read_yaml, validate_model, where
from reviewkit.errors import DeliveryConfigError
from reviewkit.i18n.texts import LANGS
from reviewkit.pack.schedule import Job

__all__ = [
    "DELIVERY_FILE",
    "Audience",
    "DeliveryConfig",
    "load_delivery",
]

DELIVERY_FILE = "delivery.yml"
_ADDRESS = re.compile(
    r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


Strings = Annotated[list[str], BeforeValidator(_as_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteFile(_Model):
    """``site``: the published site's address and folder."""

    url: str = ""
    dir: str = ""


class SmtpFile(_Model):
    """``smtp``: the company's mail server."""

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str = ""
    password_env: str = "REVIEWKIT_SMTP_PASSWORD"
    sender: str = Field(min_length=3)
    cafile: str = ""
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)


class OperatorFile(_Model):
    """``operator``: who hears about failures."""

    email: Strings = Field(default_factory=list)
    lang: Literal["ja", "en"] | None = None


class RetryFile(_Model):
    """``retry``: how long to keep trying a server that is down or busy."""

    attempts: int = Field(default=4, ge=1, le=20)
    budget_seconds: float = Field(default=120.0, ge=0, le=3600)


class AudienceFile(_Model):
    """One entry of ``audiences``."""

    name: str = Field(min_length=1)
    packs: str = Field(min_length=1)
    segments: Strings = Field(default_factory=list)
    cadences: Strings = Field(default_factory=list)
    langs: Strings = Field(default_factory=list)
    email: Strings = Field(default_factory=list)
    slack: str = ""
    teams: str = ""
    attach: Literal["html", "pdf", "link"] = "html"
    pdf: bool = False
    resend: Literal["period", "build"] = "period"


class DeliveryFile(_Model):
    """The whole file."""

    site: SiteFile = Field(default_factory=SiteFile)
    smtp: SmtpFile | None = None
    operator: OperatorFile = Field(default_factory=OperatorFile)
    retry: RetryFile = Field(default_factory=RetryFile)
    audiences: list[AudienceFile] = Field(min_length=1)


@dataclass(frozen=True)
class Audience:
    """One audience, resolved against the schedule: exactly the jobs it receives."""

    name: str
    jobs: tuple[str, ...]
    email: tuple[str, ...]
    slack: str
    teams: str
    attach: str
    pdf: bool
    resend: str = "period"  # period: each period's pack once; build: every new build


@dataclass(frozen=True)
class DeliveryConfig:
    """``params/delivery.yml``, checked against the schedule."""

    path: Path
    audiences: tuple[Audience, ...]
    site_url: str
    site_dir: Path | None
    smtp: SmtpFile | None
    operator: OperatorFile
    retry: RetryFile
    lang: str

    def policy(self) -> RetryPolicy:
        """The retry policy of every send."""
        return RetryPolicy(attempts=self.retry.attempts, budget=self.retry.budget_seconds)

    def audiences_of(self, job: str) -> list[Audience]:
        """The audiences that receive the pack of ``job`` (a job name), in file order."""
        return [a for a in self.audiences if job in a.jobs]


def _fail(path: Path, lines: object, keys: tuple[str | int, ...], message: str) -> None:
    raise DeliveryConfigError(f"{where(path, lines, keys)}: {message}")  # type: ignore[arg-type]


def _check_channels(path: Path, lines: object, i: int, a: AudienceFile, *, has_smtp: bool) -> None:
    """Addresses in form, webhook variables by name, at least one way to reach the audience."""
    at = ("audiences", i)
    if not (a.email or a.slack or a.teams):
        _fail(path, lines, at, f"audience {a.name!r} has no email, slack or teams; add one")
    for k, address in enumerate(a.email):
        if not _ADDRESS.match(address.strip()):
            _fail(
                path,
                lines,
                (*at, "email", k),
                f"{address!r} is not an e-mail address; write name@example.com",
            )
    if a.email and not has_smtp:
        _fail(
            path,
            lines,
            (*at, "email"),
            "e-mail needs an smtp: section (host, port, sender); add it",
        )
    for key, value in (("slack", a.slack), ("teams", a.teams)):
        if value and not _VARIABLE.match(value):
            hint = " (a webhook URL is a secret: keep it out of params/)" if "://" in value else ""
            _fail(
                path,
                lines,
                (*at, key),
                f"write the name of the variable holding the webhook URL, e.g. "
                f"SLACK_WEBHOOK_TEAM_B, not {'a URL' if hint else repr(value)}{hint}; set it "
                "in the environment or the credentials file",
            )


def _resolve(
    path: Path, lines: object, i: int, a: AudienceFile, jobs: list[Job], default_lang: str
) -> tuple[str, ...]:
    """The names of the jobs audience ``a`` receives; unknown entry/segment/cadence/lang fail."""
    at = ("audiences", i)
    entry = [j for j in jobs if j.entry == a.packs]
    if not entry:
        names = sorted({j.entry for j in jobs if j.entry})
        _fail(
            path,
            lines,
            (*at, "packs"),
            f"{a.packs!r} is not an entry of schedule.yml; use one of "
            f"{', '.join(names) or '(none: give the entries a name)'}",
        )
    for key, values, known in (
        ("cadences", a.cadences, sorted({j.cadence for j in entry})),
        ("langs", a.langs, sorted({j.lang for j in entry})),
    ):
        for k, value in enumerate(values):
            if value not in known:
                _fail(
                    path,
                    lines,
                    (*at, key, k),
                    f"{value!r}: entry {a.packs!r} builds no such pack; it builds "
                    f"{', '.join(known)}",
                )
    scoped = [j for j in entry if j.scope is not None]
    if a.segments and not scoped:
        _fail(
            path,
            lines,
            (*at, "segments"),
            f"entry {a.packs!r} builds company packs only (no segments); remove segments",
        )
    chosen = entry
    if a.segments:
        slug_of: dict[str, str] = {}
        for j in scoped:
            assert j.scope is not None
            keys = {
                j.scope.name,
                j.scope.slug,
                j.scope.text,
                *(j.scope.values if len(j.scope.values) == 1 else ()),
            }
            for key in keys - {""}:
                slug_of[key] = j.scope.slug
        for k, segment in enumerate(a.segments):
            if segment not in slug_of:
                shown = sorted({j.scope.name or j.scope.values[0] for j in scoped if j.scope})
                _fail(
                    path,
                    lines,
                    (*at, "segments", k),
                    f"{segment!r} is not a segment the schedule builds for entry {a.packs!r}; "
                    f"use {', '.join(shown)}",
                )
        slugs = {slug_of[s] for s in a.segments}
        chosen = [j for j in entry if j.scope is not None and j.scope.slug in slugs]
    langs = a.langs or sorted({j.lang for j in entry})
    cadences = a.cadences or [j.cadence for j in entry]
    return tuple(j.name for j in chosen if j.lang in langs and j.cadence in cadences)


def load_delivery(path: Path, *, jobs: list[Job], default_lang: str) -> DeliveryConfig | None:
    """Read and check ``params/delivery.yml``; ``None`` when the file does not exist.

    Parameters
    ----------
    path
        The file.
    jobs
        Every job of the schedule (:func:`reviewkit.pack.schedule.load_schedule`).
    default_lang
        The workspace language (the operator's messages).

    Raises
    ------
    ConfigError
        A broken file, an unknown key or value, an address not in form, a webhook written as a
        URL, a second audience of the same name, an audience for an entry, segment, cadence
        or language the schedule does not build, ``attach: link`` without ``site.url``, or
        e-mail without ``smtp``; the message names the file, line and key.
    """
    if not path.is_file():
        return None
    data, lines = read_yaml(path)
    parsed = validate_model(DeliveryFile, path, data, lines)
    audiences, seen = [], set()
    for i, a in enumerate(parsed.audiences):
        if not _NAME.match(a.name) or a.name in seen:
            why = "is used twice" if a.name in seen else "is not a folder name"
            _fail(
                path,
                lines,
                ("audiences", i, "name"),
                f"{a.name!r} {why}; use letters, digits, - and _, once each",
            )
        seen.add(a.name)
        _check_channels(path, lines, i, a, has_smtp=parsed.smtp is not None)
        if (a.attach == "link") and not parsed.site.url:
            _fail(
                path,
                lines,
                ("audiences", i, "attach"),
                "attach: link needs site.url (where the packs are published); set it or "
                "attach html or pdf",
            )
        names = _resolve(path, lines, i, a, jobs, default_lang)
        audiences.append(
            Audience(
                a.name,
                names,
                tuple(e.strip() for e in a.email),
                a.slack,
                a.teams,
                a.attach,
                a.pdf or a.attach == "pdf",
                a.resend,
            )
        )
    op = parsed.operator
    for k, address in enumerate(op.email):
        if not _ADDRESS.match(address.strip()):
            _fail(
                path,
                lines,
                ("operator", "email", k),
                f"{address!r} is not an e-mail address; write name@example.com",
            )
    if op.email and parsed.smtp is None:
        _fail(path, lines, ("operator", "email"), "e-mail needs an smtp: section; add it")
    url = parsed.site.url.rstrip("/")
    if url and not re.match(r"^https?://[^\s/]+", url):
        _fail(path, lines, ("site", "url"), f"{url!r} is not a web address; write https://...")
    site_dir = Path(parsed.site.dir).expanduser() if parsed.site.dir else None
    if site_dir is not None and not site_dir.is_absolute():
        site_dir = (path.parent.parent / site_dir).resolve()
    lang = op.lang or (default_lang if default_lang in LANGS else "en")
    return DeliveryConfig(
        path, tuple(audiences), url, site_dir, parsed.smtp, op, parsed.retry, lang
    )
