"""Fixtures of the end-to-end tests: headless Chromium, and the Maven CRM data set in a store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from builders import MAVEN_CUTOFF, MAVEN_DATA, MAVEN_DEFINITIONS, in_ci, maven_frames

from reviewkit.ingest.identity import resolve_identities
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.schema import replace_tables

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module; missing Chromium fails in CI, else skips."""
    executable = os.environ.get("REVIEWKIT_CHROMIUM") or shutil.which("chromium")
    if not executable or not Path(executable).is_file():
        message = (
            f"no Chromium at {executable or 'PATH'}: set REVIEWKIT_CHROMIUM to its path or "
            "install it (`apt-get install chromium fonts-noto-cjk`)"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def maven():
    if not (MAVEN_DATA / "sales_pipeline.csv").is_file():
        message = f"the Maven CRM data set is missing: expected it in {MAVEN_DATA}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    pipeline = pd.read_csv(MAVEN_DATA / "sales_pipeline.csv")
    teams = pd.read_csv(MAVEN_DATA / "sales_teams.csv")
    return pipeline, teams


@pytest.fixture
def maven_funnel(con, maven):
    counts = replace_tables(con, maven_frames(*maven), source="maven_crm")
    identity = resolve_identities(con)
    # no e-mails: every lead is its own person
    assert identity["persons"] == identity["leads"] == counts["leads"]
    return Funnel(con, MAVEN_DEFINITIONS, timezone="UTC", cutoff=MAVEN_CUTOFF)
