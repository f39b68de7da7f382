"""``reviewkit init`` and ``sample``: create a workspace, generate a sample company."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reviewkit.cli.shared import err, out, workspace_option, writable_folder


@click.command()
@click.argument(
    "directory", type=click.Path(path_type=Path, file_okay=False), callback=writable_folder
)
@click.option("--company", default=None, help="The company's name. Default: DIRECTORY's name.")
@click.option("--country", default=None,
              help="ISO 3166 code (JP, US, DE, BR, ...): holidays, and the defaults of the "
              "options below. Default: JP.")  # fmt: skip
@click.option("--currency", default=None,
              help="ISO 4217 code (JPY, USD, EUR, ...). Default: the country's.")  # fmt: skip
@click.option("--timezone", default=None,
              help="IANA time zone. Default: the country's (e.g. America/New_York).")  # fmt: skip
@click.option("--lang", default=None, help="Pack language, ja or en. Default: ja in JP, else en.")
@click.option("--fiscal-year-start", default=None, metavar="MONTH",
              help="First month of the fiscal year, 1-12 or a name. Default: the country's "
              "usual (April in JP, January in US).")  # fmt: skip
@click.option("--sample", is_flag=True,
              help="Copy the sample company's configuration instead (for demos; then "
              "`reviewkit sample`).")  # fmt: skip
def init(
    directory: Path,
    company: str | None,
    country: str | None,
    currency: str | None,
    timezone: str | None,
    lang: str | None,
    fiscal_year_start: str | None,
    sample: bool,
) -> None:
    """Create a workspace in DIRECTORY for your company's own data (or --sample)."""
    if sample:
        _init_sample(directory, company=company, country=country, currency=currency,
                     timezone=timezone, lang=lang, fiscal_year_start=fiscal_year_start)  # fmt: skip
        return
    from reviewkit.model.onboarding import company_settings, init_company_workspace

    settings = company_settings(
        company=company or directory.expanduser().resolve().name, country=country or "JP",
        currency=currency, timezone=timezone, lang=lang, fiscal_year_start=fiscal_year_start,
    )  # fmt: skip
    ws = init_company_workspace(directory, settings)
    _print_next_steps(ws, settings)


def _init_sample(directory: Path, **options: str | None) -> None:
    """``reviewkit init DIR --sample``: the sample company's configuration, for demos."""
    from reviewkit.core.workspace import init_workspace
    from reviewkit.errors import ParameterError

    given = [f"--{k.replace('_', '-')}" for k, v in options.items() if v is not None]
    if given:
        raise ParameterError(
            f"{given[0]}: not used with --sample (the sample company has its own settings); "
            "leave out --sample to create a workspace for your company"
        )
    ws = init_workspace(directory)
    out.print(
        f"workspace created at {ws.root} with the sample company's configuration; "
        f"next: reviewkit sample --workspace {ws.root}",
        markup=False,
    )


def _print_next_steps(ws: Any, settings: Any) -> None:
    """What ``reviewkit init`` made, and the commands that import the company's exports."""
    import shlex

    from reviewkit.model.starter_files import MONTH_NAMES

    root = shlex.quote(str(ws.root))
    month = MONTH_NAMES[settings.fiscal_year_start_month - 1]
    out.print(
        f"workspace created at {ws.root} for {settings.company} ({settings.currency}, "
        f"{settings.country}, {settings.timezone}, packs in {settings.lang}, fiscal year from "
        f"{month})\n"
        "next: describe each export file in a profile, check it, import it:\n"
        f"  reviewkit profile draft exports/leads.csv --workspace {root}\n"
        f"  (edit {shlex.quote(str(ws.params_dir / 'sources' / 'leads.yml'))}: the comments say "
        "what to check)\n"
        f"  reviewkit import exports/leads.csv --profile leads --dry-run --workspace {root}\n"
        f"  reviewkit import exports/leads.csv --profile leads --workspace {root}\n"
        "then: write your funnel in params/definitions.yml and your targets in "
        f"params/targets.yml, run `reviewkit validate --workspace {root}` and "
        f"`reviewkit batch --workspace {root}` (docs/own-data.md)",
        markup=False,
    )


@click.command()
@workspace_option
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed, 0 or more (default: the spec's).")  # fmt: skip
@click.option("--leads", type=click.IntRange(min=1000, max=10_000_000), default=None,
              help="About how many leads to generate (default: the spec's 50,000); for "
              "trying reviewkit at scale.")  # fmt: skip
@click.option("--company", default=None, metavar="NAME",
              help="A zoo company instead: sample, brazil, usa or germany. Creates a "
              "complete workspace in DIR (params, store, exports/).")  # fmt: skip
@click.option("--exports-only", is_flag=True,
              help="With --company: write only the company's export files, into DIR.")  # fmt: skip
@click.argument("directory", required=False, callback=writable_folder,
                type=click.Path(path_type=Path, file_okay=False))  # fmt: skip
def sample(
    workspace: Path | None,
    seed: int | None,
    leads: int | None,
    company: str | None,
    exports_only: bool,
    directory: Path | None,
) -> None:
    """Generate the sample company into the workspace's store (replacing its contents).

    With --company NAME DIR: a zoo company (another shape of funnel, with planted problems)
    as a new workspace in DIR.
    """
    if company is not None:
        _zoo_company(company, directory, workspace, seed=seed, leads=leads, exports=exports_only)
        return
    if directory is not None or exports_only:
        raise click.UsageError("DIR and --exports-only go with --company NAME")
    from reviewkit.core.workspace import find_workspace
    from reviewkit.ingest.sample.write import write_sample

    ws = find_workspace(workspace)
    with err.status("generating the sample company…"):
        counts = write_sample(str(ws.store_path), seed=seed, leads=leads)
    summary = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    out.print(f"sample company written to {ws.store_path}: {summary}")


def _zoo_company(
    name: str,
    directory: Path | None,
    workspace: Path | None,
    *,
    seed: int | None,
    leads: int | None,
    exports: bool,
) -> None:
    """``reviewkit sample --company NAME DIR``: a zoo company's workspace or export files."""
    if directory is None:
        raise click.UsageError(f"--company {name}: give the folder to create, e.g. "
                               f"`reviewkit sample --company {name} {name}-ws`")  # fmt: skip
    if workspace is not None or leads is not None:
        raise click.UsageError("--workspace and --leads go with the sample, not with --company")
    from reviewkit.ingest.sample.zoo.workspace import write_company

    with err.status(f"generating the zoo company {name}…"):
        lines = write_company(name, directory, seed=seed, exports_only=exports)
    for line in lines:
        out.print(line, markup=False)
