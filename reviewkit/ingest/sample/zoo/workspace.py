"""A zoo company as a workspace (its configuration and a filled store) and as export files."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

from reviewkit.core.resources import bundled, package_file
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.ingest.sample.zoo.companies import ZooCompany, check_name, generate
from reviewkit.ingest.sample.zoo.targets import targets_text

STORE = Path("data") / "reviewkit.duckdb"


def _copy_params(source: Path, target: Path) -> None:
    for item in sorted(source.rglob("*")):
        dest = target / item.relative_to(source)
        if item.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, dest)


def _check_free(folder: Path) -> None:
    if (folder / "params" / "workspace.yml").exists():
        raise ConfigError(
            f"{folder / 'params' / 'workspace.yml'}: a workspace already exists there; "
            "choose an empty folder for the zoo company"
        )


def load_store(company: ZooCompany, store_path: str | os.PathLike[str]) -> dict[str, int]:
    """Replace the store's contents with the company's tables, persons matched by identity.

    Returns rows written per table, plus ``persons`` and ``merged``.
    """
    from reviewkit.ingest.identity import identity_summary, rebuild_identity_table
    from reviewkit.store.schema import connect, replace_tables

    con = connect(store_path, timezone=company.spec["timezone"])
    try:
        counts = replace_tables(
            con, company.tables, source=f"reviewkit zoo {company.name}",
            then=rebuild_identity_table,
        )  # fmt: skip
        identity = identity_summary(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {**counts, "persons": identity["persons"], "merged": identity["merged"]}


def write_workspace(
    name: str,
    root: str | os.PathLike[str],
    *,
    seed: int | None = None,
    company: ZooCompany | None = None,
) -> dict[str, int]:
    """Create a complete workspace of a zoo company: ``params/``, the store, ``outputs/``.

    Parameters
    ----------
    name
        A zoo company (``sample``, ``brazil``, ``usa``, ``germany``).
    root
        The folder to create; it must not hold a workspace yet.
    seed
        Random seed; default: the spec's.
    company
        An already generated company (saves generating it again); its ``name`` must match.

    Returns
    -------
    dict
        Rows written per store table, plus ``persons`` and ``merged`` from identity matching.

    Raises
    ------
    ParameterError
        If ``name`` is not a zoo company.
    ConfigError
        If ``root`` already holds a workspace.
    """
    check_name(name)
    folder = Path(root).expanduser()
    _check_free(folder)
    company = company or generate(name, seed=seed)
    if name == "sample":
        _copy_params(bundled("params"), folder / "params")
    else:
        _copy_params(package_file("ingest", "sample", "zoo", name, "params"), folder / "params")
        text = targets_text(
            company.tables["targets"], company=company.spec["company"]["en"],
            fiscal_year_start_month=company.spec["fiscal_year_start_month"],
        )  # fmt: skip
        (folder / "params" / "targets.yml").write_text(text, encoding="utf-8")
    (folder / "outputs").mkdir(parents=True, exist_ok=True)
    return load_store(company, folder / STORE)


def write_exports(
    name: str,
    directory: str | os.PathLike[str],
    *,
    seed: int | None = None,
    company: ZooCompany | None = None,
) -> list[Path]:
    """Write the export files a zoo company's systems would produce, in their real layouts.

    Parameters
    ----------
    name
        ``brazil``, ``usa`` or ``germany`` (the sample company has no export files).
    directory
        Where to write them (created if missing; files of the same name are replaced).
    seed
        Random seed; default: the spec's.
    company
        An already generated company; its ``name`` must match.

    Returns
    -------
    list of Path
        The files written. Which profile imports each is in the company's
        ``params/sources/``.

    Raises
    ------
    ParameterError
        If ``name`` is not a zoo company, or is ``sample``.
    """
    check_name(name)
    if name == "sample":
        raise ParameterError(
            "company: 'sample' has no export files (it is generated straight into the store); "
            "use brazil, usa or germany"
        )
    company = company or generate(name, seed=seed)
    module = importlib.import_module(f"reviewkit.ingest.sample.zoo.{name}.exports")
    folder = Path(directory).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = module.write(company, folder)
    return paths


def export_profiles(name: str) -> dict[str, str]:
    """Export file name -> the profile (``params/sources/NAME.yml``) that imports it."""
    check_name(name)
    if name == "sample":
        return {}
    module = importlib.import_module(f"reviewkit.ingest.sample.zoo.{name}.exports")
    files: dict[str, str] = module.FILES
    return dict(files)


def write_company(
    name: str,
    directory: str | os.PathLike[str],
    *,
    seed: int | None = None,
    exports_only: bool = False,
) -> list[str]:
    """What ``reviewkit sample --company NAME DIR`` does; returns the lines it prints.

    Without ``exports_only``: a complete workspace in ``directory`` (``params/``, the store,
    ``outputs/``) and, for all but the sample, its export files in ``directory/exports``.
    With it: only the export files, straight into ``directory``.

    Raises
    ------
    ParameterError
        If ``name`` is not a zoo company (or is ``sample`` with ``exports_only``).
    ConfigError
        If ``directory`` already holds a workspace.
    """
    check_name(name)
    folder = Path(directory).expanduser()
    if exports_only and name == "sample":
        write_exports(name, folder)  # raises: the sample has no export files
    if not exports_only:
        _check_free(folder)
    company = generate(name, seed=seed)
    as_of = company.truth["review"]["as_of"]
    if exports_only:
        paths = write_exports(name, folder, company=company)
        files = ", ".join(p.name for p in paths)
        return [
            f"{name}: {len(paths)} export file(s) written to {folder}: {files}",
            f"their import profiles are in params/sources/ of `reviewkit sample --company "
            f"{name} DIR`; the data ends on the day before {as_of}",
        ]
    counts = write_workspace(name, folder, company=company)
    summary = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    lines = [f"zoo company {name} written to {folder}: {summary}"]
    if name != "sample":
        paths = write_exports(name, folder / "exports", company=company)
        lines.append(
            f"exports: {len(paths)} file(s) in {folder / 'exports'}, imported by the profiles "
            f"in {folder / 'params' / 'sources'}"
        )
    lines.append(f"next: reviewkit run monthly --workspace {folder} --as-of {as_of}")
    return lines
