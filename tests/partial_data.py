"""Partial stores for the partial-data attacks: one profile's export alone, or a store cut down.

:func:`sample_exports` writes small exports in the layouts of the shipped profiles
(HubSpot contacts and deals, Salesforce leads and opportunities), from a seeded generator: the
sample company is generated straight into its store and has no export files of its own.
:func:`alone_workspace` makes a workspace as a user would (``reviewkit init``, the company's
funnel and targets, one profile, ``reviewkit import`` of its one file); :func:`build_packs`
builds its weekly, monthly and quarterly packs with ``reviewkit batch``; :func:`missing_keys`
reads which one-line "missing" messages a pack shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import numpy as np
from attack_harness import assert_clean_exit, run_cli
from bs4 import BeautifulSoup

from reviewkit.i18n.texts import TEXTS

SAMPLE_AS_OF = "2026-11-23"
_START, _END = dt.datetime(2025, 4, 1, 9, 0), dt.datetime(2026, 11, 22, 18, 0)
_SOURCES = ["Paid Search", "Organic Search", "Referrals", "Offline Sources", "Email Marketing"]
_SF_SOURCES = ["Web", "Advertisement", "Partner Referral", "Trade Show"]
_TEAMS = ["Team A", "Team B", "Team C"]


def _when(rng: np.random.Generator, n: int) -> list[dt.datetime]:
    span = (_END - _START).total_seconds()
    return sorted(_START + dt.timedelta(seconds=float(s)) for s in rng.uniform(0, span, n))


def _later(rng: np.random.Generator, at: dt.datetime, low: int, high: int) -> dt.datetime | None:
    day = at + dt.timedelta(days=int(rng.integers(low, high)), hours=int(rng.integers(0, 6)))
    return day if day <= _END else None


def _text(at: dt.datetime | None) -> str:
    return "" if at is None else at.strftime("%Y-%m-%d %H:%M")


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def sample_exports(folder: Path, *, n: int = 600, seed: int = 20) -> dict[str, str]:
    """Exports for the shipped profiles in ``folder``; returns ``{file: profile}``."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    contacts, deals, sf_leads, sf_opps = [], [], [], []
    for i, created in enumerate(_when(rng, n)):
        sql = _later(rng, created, 2, 20) if rng.random() < 0.5 else None
        opp = _later(rng, sql, 3, 30) if sql and rng.random() < 0.6 else None
        won = _later(rng, opp, 15, 80) if opp and rng.random() < 0.35 else None
        lost = _later(rng, opp, 15, 80) if opp and not won and rng.random() < 0.5 else None
        score = int(rng.integers(0, 100))
        mql = _later(rng, created, 0, 5) if score >= 60 else None
        team = _TEAMS[i % 3]
        source = _SOURCES[int(rng.integers(0, len(_SOURCES)))]
        contacts.append([
            1000 + i, _text(created), f"person{i}@example.com", f"Company {i % 97}", source,
            f"CMP-{i % 5}", team, score, _text(created), _text(mql), _text(sql), _text(opp),
            _text(won),
        ])  # fmt: skip
        sf_leads.append([
            f"00Q{i:06d}", f"person{i}@example.com", _text(created), f"Company {i % 97}",
            _SF_SOURCES[i % len(_SF_SOURCES)], team, _text(opp),
        ])  # fmt: skip
        if opp is not None:
            stage = "closedwon" if won else "closedlost" if lost else "appointmentscheduled"
            amount = int(rng.integers(5, 80)) * 100_000
            closed = _text(won or lost)
            deals.append([9000 + i, f"Deal {i}", stage, amount, closed, _text(opp), 1000 + i,
                          team])  # fmt: skip
            sf_stage = {"closedwon": "Closed Won", "closedlost": "Closed Lost"}.get(
                stage, "Prospecting"
            )
            sf_opps.append([f"006{i:06d}", f"Deal {i}", sf_stage, amount, closed, _text(opp),
                            team])  # fmt: skip
    _write(folder / "hubspot_contacts.csv", [
        "Record ID", "Create Date", "Email", "Company Name", "Original Source",
        "Original Source Drill-Down 1", "Contact owner", "HubSpot Score", "Became a Lead Date",
        "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
        "Became an Opportunity Date", "Became a Customer Date",
    ], contacts)  # fmt: skip
    _write(folder / "hubspot_deals.csv", [
        "Deal ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date",
        "Associated Contact IDs", "Deal owner",
    ], deals)  # fmt: skip
    _write(folder / "salesforce_leads.csv", [
        "Lead ID", "Email", "Create Date", "Company / Account", "Lead Source", "Lead Owner",
        "Converted Date",
    ], sf_leads)  # fmt: skip
    _write(folder / "salesforce_opportunities.csv", [
        "Opportunity ID", "Opportunity Name", "Stage", "Amount", "Close Date", "Created Date",
        "Opportunity Owner",
    ], sf_opps)  # fmt: skip
    return {
        "hubspot_contacts.csv": "hubspot-contacts",
        "hubspot_deals.csv": "hubspot-deals",
        "salesforce_leads.csv": "salesforce-leads",
        "salesforce_opportunities.csv": "salesforce-opportunities",
    }


def schedule(ws: Path, lang: str) -> None:
    """The company's weekly, monthly and quarterly packs in ``lang``."""
    (ws / "params" / "schedule.yml").write_text(
        "packs:\n  - name: company\n    cadences: [weekly, monthly, quarterly]\n"
        f"    langs: [{lang}]\n",
        encoding="utf-8",
    )


def alone_workspace(root: Path, *, company: Path | None, export: Path, profile: str,
                    lang: str) -> Path:  # fmt: skip
    """An empty workspace holding one profile's import only.

    ``company``: a zoo company's workspace whose calendar, funnel and targets (and the profile,
    from its ``params/sources/``) the user would have written; ``None``: ``reviewkit init
    --sample`` (the sample company's configuration and the shipped or example profiles).
    """
    ws = root / "ws"
    if company is None:
        assert_clean_exit(run_cli("init", "--sample", str(ws)))
    else:
        assert_clean_exit(run_cli("init", str(ws)))
        for name in ("workspace.yml", "definitions.yml", "targets.yml"):
            shutil.copy(company / "params" / name, ws / "params" / name)
        shutil.copy(company / "params" / "sources" / f"{profile}.yml", ws / "params" / "sources")
    schedule(ws, lang)
    done = run_cli("import", str(export), "--profile", profile, "--workspace", str(ws))
    assert_clean_exit(done)
    return ws


def build_packs(ws: Path, as_of: str) -> dict[str, BeautifulSoup]:
    """``reviewkit batch`` of the schedule: exit 0, no failed notebook; ``{cadence: pack}``."""
    done = run_cli("batch", "--workspace", str(ws), "--as-of", as_of, "--jobs", "2")
    assert_clean_exit(done)
    assert not list((ws / "outputs").glob("_failed/**/notebook.ipynb")), done.stdout[-2000:]
    packs = {}
    for path in (ws / "outputs").glob("*/*/**/pack.html"):
        cadence = path.relative_to(ws / "outputs").parts[0]
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        packs[cadence] = soup
    assert sorted(packs) == ["monthly", "quarterly", "weekly"], sorted(packs)
    return packs


# words no pack may show: a value that is not a number or a date, a crash
_BROKEN = re.compile(r"\bNaT\b|\bnan\b|\bNaN\b|\binf\b|Traceback|Exception|Error:")


def assert_readable(pack: BeautifulSoup) -> None:
    """No missing value printed as NaT / nan / inf and no error text anywhere in the pack."""
    text = pack.get_text(" ", strip=True)
    found = _BROKEN.search(text)
    assert found is None, text[max(0, found.start() - 200) : found.end() + 100]


def _phrase(key: str, lang: str) -> str:
    """The longest literal part of a text (between its ``{fields}``), to find it in a pack."""
    parts = re.split(r"\{[a-z_]+\}", TEXTS[key][lang])
    return max(parts, key=len).strip()


def missing_keys(pack: BeautifulSoup, *, lang: str, cell: str | None = None) -> set[str]:
    """The texts (``missing.*`` and others) the pack's one-line "missing" messages show.

    Only in cell ``cell`` when given. A text is recognised by its longest literal part, so a
    short text may be reported where a longer one holds it: check for the keys expected.
    """
    scope = pack if cell is None else pack.find(id=f"cell-id={cell}")
    assert scope is not None, f"no cell {cell!r}"
    lines = [p.get_text(" ", strip=True) for p in scope.select(".rk-missing")]
    phrases = {k: _phrase(k, lang) for k in TEXTS if lang in TEXTS[k]}
    return {k for k, p in phrases.items() if len(p) >= 8 for line in lines if p in line}
