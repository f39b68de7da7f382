"""No personal data in anything published: packs, notebooks, manifests, proposals, drafts, index.

A copy of the sample store gets e-mail addresses and phone numbers planted in every free-text
field it holds: two of every three rows of each column have one of the planted forms appended
(``kanto +81 3 1234 5678``), so every value still exists, sections keep their data and the
planted values show up in tables; a third of the e-mail column is replaced by planted
addresses; an import with quarantined rows names them. A batch then builds the weekly and
quarterly packs (Japanese) and the monthly pack (English), a weekly pack whose workspace
template raises an error quoting an address, a segment whose value holds an address and one
no lead has (its error lists the store's values); a single run builds the monthly pack in
Japanese with its raw notebook kept aside. Every file under the output folder is then scanned.
"""

from __future__ import annotations

import json
import re
import shutil
from html import escape
from pathlib import Path

import duckdb
import nbformat
import pytest
from builders import DEMO_DATE, REPO

from reviewkit.analysis.quality import data_quality
from reviewkit.core.published import redact_folder
from reviewkit.core.redaction import PLACEHOLDER, redact_data, redact_notebook, redact_text
from reviewkit.errors import ParameterError
from reviewkit.model.action_proposals import action_from_proposal
from reviewkit.model.scope import slugify
from reviewkit.pack import runner
from reviewkit.pack.batch import run_batch
from reviewkit.pack.batch_log import close_log, open_log
from reviewkit.pack.index_page import write_index
from reviewkit.pack.runner import run_pack
from reviewkit.present.sections.meeting import quality_html

EMAILS = ("john.doe@example.com", "Jane <jane@example.co.jp>", "mailto:x@example.org")
PHONES = ("03-1234-5678", "+81 3 1234 5678", "(415) 555-0100", "+1 415 555 0100")
PLANTED = (*EMAILS, *PHONES)
# What redaction replaces: the addresses and numbers themselves ("Jane <" stays).
TOKENS = ("john.doe@example.com", "jane@example.co.jp", "x@example.org", *PHONES)
# Pieces that would betray a planted value escaped (&lt;, \u003c, %40) or cut short.
FRAGMENTS = (
    "john.doe@", "jane@", "x@example", "%40example", "1234-5678", "1234 5678", "555-0100",
    "555 0100", "1234%205678", "555%200100",
)  # fmt: skip
# An address in a folder or job name (``sales_team-team-a-mailto-x-example.org``).
SLUGGED = tuple(slugify(token) for token in TOKENS[:3])
EMAIL_SHAPED = re.compile(
    r"[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)

# Every free-text field of the store, with its table's key.
FIELDS = {
    "leads": ("lead_id", ("company_name", "company_domain", "channel", "campaign_id",
                          "content_asset", "industry", "company_size", "region", "persona",
                          "sales_team")),
    "opportunities": ("opportunity_id", ("stage", "sales_team")),
    "activities": ("activity_id", ("activity_type", "team")),
    "campaigns": ("campaign_id", ("name", "channel", "content_asset")),
}  # fmt: skip
IMPORT_FILE = f"leads {EMAILS[0]} {PHONES[0]}.csv"


def planted_forms(i: int) -> tuple[str, str]:
    """The two forms appended to the ``i``-th field: to rows ``hash % 3 == 0`` and ``== 1``."""
    return PLANTED[i % len(PLANTED)], PLANTED[(i + 3) % len(PLANTED)]


def plant(store: Path) -> str:
    """Plant the forms in every free-text field of ``store``; the planted ``Team A`` value."""
    con = duckdb.connect(str(store))
    try:
        i = 0
        for table, (key, columns) in FIELDS.items():
            for column in columns:
                first, second = planted_forms(i)
                con.execute(
                    f"UPDATE {table} SET {column} = {column} || ' ' || "
                    f"CASE WHEN hash({key}) % 3 = 0 THEN ? ELSE ? END WHERE hash({key}) % 3 < 2",
                    [first, second],
                )
                i += 1
        con.execute(
            "UPDATE leads SET email = CASE hash(lead_id) % 4 WHEN 0 THEN ? WHEN 1 THEN ? "
            "WHEN 2 THEN ? ELSE email END",
            list(EMAILS),
        )
        at = "2026-11-20 09:00:00+09"
        con.execute(
            "INSERT INTO imports VALUES ('planted', ?, 'f00d', 'ma_leads', 'ma', 10, 3, 0, 0, "
            f"{len(PLANTED)}, TIMESTAMPTZ '{at}', TIMESTAMPTZ '{at}')",
            [IMPORT_FILE],
        )
        for row, form in enumerate(PLANTED, start=2):
            con.execute(
                "INSERT INTO quarantine VALUES "
                "('planted', ?, ?, 'email', ?, 'not an e-mail', NULL)",
                [IMPORT_FILE, row, form],
            )
        (team,) = con.execute(
            "SELECT sales_team FROM leads WHERE sales_team LIKE 'Team A %' LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return str(team)


FAILING_CELL = (
    'if segment == "sales_team=Team B":\n'
    f'    raise ValueError("no pipeline for {EMAILS[1]}; call {PHONES[3]}")'
)


def schedule(refused_team: str) -> str:
    return f"""\
packs:
  - name: company
    cadences: [weekly, quarterly]
    langs: [ja]
  - name: company-en
    cadences: [monthly]
    langs: [en]
  - name: failing
    cadences: [weekly]
    langs: [ja]
    segments:
      sales_team: [Team B]
  - name: refused
    cadences: [weekly]
    langs: [ja]
    segments:
      sales_team: [{json.dumps(refused_team)}]
  - name: unknown
    cadences: [weekly]
    langs: [ja]
    segments:
      region: [okinawa]
"""


@pytest.fixture(scope="module")
def built(sample_workspace, tmp_path_factory) -> dict:
    """The planted workspace after its batch and its single run (see the module's notes)."""
    root = tmp_path_factory.mktemp("planted") / "ws"
    shutil.copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    store = root / "data" / "reviewkit.duckdb"
    shutil.copy(sample_workspace.store_path, store)
    team = plant(store)
    (root / "params" / "schedule.yml").write_text(schedule(team), encoding="utf-8")
    nb = nbformat.read(REPO / "notebooks" / "weekly_review.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(FAILING_CELL))
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "weekly_review.ipynb")
    out = root / "outputs"

    raw = root / "raw-notebook.ipynb"  # outside the output folder: not published
    redact = runner.redact_executed

    def keep_raw(notebook: object, folder: Path) -> tuple[object, list[str]]:
        shutil.copy(folder / "notebook.ipynb", raw)  # as papermill wrote it
        return redact(notebook, folder)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runner, "redact_executed", keep_raw)
        single = run_pack("monthly", as_of=DEMO_DATE, lang="ja", workspace=root, output_dir=out)
    report = run_batch(workspace=root, jobs=2, as_of=DEMO_DATE, output_dir=out)
    return {"root": root, "out": out, "team": team, "raw": raw, "single": single,
            "report": report}  # fmt: skip


def published_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())


@pytest.mark.integration
def test_the_planted_values_are_in_the_store_and_reach_the_packs(built):
    store = built["root"] / "data" / "reviewkit.duckdb"
    con = duckdb.connect(str(store), read_only=True)
    try:
        for table, (_, columns) in FIELDS.items():
            for column in columns:
                (n,) = con.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} LIKE '% %' AND ("
                    + " OR ".join(f"{column} LIKE '%' || ${k + 1}" for k in range(len(PLANTED)))
                    + ")",
                    list(PLANTED),
                ).fetchone()
                assert n > 0, (table, column)
    finally:
        con.close()
    # the planted values were in the raw notebook; they reached the weekly and monthly
    # notebooks and packs as the placeholder (the quarterly pack names no value of these fields)
    assert any(token in built["raw"].read_text(encoding="utf-8") for token in TOKENS)
    out = built["out"]
    for folder in ("weekly/2026-W47", "monthly/2026-10", "monthly/2026-10/en"):
        for name in ("notebook.ipynb", "pack.html"):
            assert PLACEHOLDER in (out / folder / name).read_text(encoding="utf-8"), (folder, name)


@pytest.mark.integration
def test_the_batch_built_three_packs_and_failed_three(built):
    report = built["report"]
    assert report.counts == {"built": 3, "skipped": 0, "failed": 3}, [
        (o.name, o.error) for o in report.failed
    ]
    errors = {o.name.split("/")[1]: o.error for o in report.failed}
    assert (
        "ValueError: no pipeline for Jane <[redacted]>; call [redacted]"
        in errors["sales_team-team-b"]
    )
    # its job is named by a hash of the value: nothing of "Team A" or the address
    refused = next(e for n, e in errors.items() if n.startswith("sales_team-redacted-"))
    assert "holding an e-mail address or phone number" in refused
    assert "no lead in the store has region='okinawa'" in errors["region-okinawa"]
    assert PLACEHOLDER in errors["region-okinawa"]  # it lists the store's (planted) values


@pytest.mark.integration
def test_no_published_file_holds_a_planted_value_or_an_address(built):
    out = built["out"]
    files = published_files(out)
    names = {p.relative_to(out).as_posix() for p in files}
    expected = {
        "index.html", "_logs/last-batch.json", "weekly/2026-W47/pack.html",
        "weekly/2026-W47/notebook.ipynb", "weekly/2026-W47/manifest.json",
        "monthly/2026-10/proposals.json", "monthly/2026-10/en/proposals.json",
        "quarterly/FY2026-Q2/manifest.json",
    }  # fmt: skip
    assert expected <= names, expected - names
    assert any(n.startswith("quarterly/FY2026-Q2/targets-draft-") for n in names)
    assert any(n.startswith("_logs/batch-") and n.endswith(".log") for n in names)
    kept = [n for n in names if n.startswith("_failed/")]
    assert any(n.endswith("/notebook.ipynb") for n in kept)
    assert any(n.endswith("/failure.json") for n in kept)
    for path in files:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(out).as_posix()
        for leak in (*PLANTED, *TOKENS, *FRAGMENTS, *SLUGGED, built["team"]):
            assert leak not in text, (where, leak)
        assert not EMAIL_SHAPED.search(text), (where, EMAIL_SHAPED.search(text))
    # the failed run's notebook kept its error, redacted, and its cell
    notebook = next(out / n for n in kept if n.endswith("/notebook.ipynb"))
    cells = nbformat.read(notebook, as_version=4).cells
    assert any(o.get("ename") == "ValueError" for c in cells for o in c.get("outputs", []))
    assert 'raise ValueError("no pipeline for Jane <[redacted]>; call [redacted]")' in [
        c.source.splitlines()[-1].strip() for c in cells if c.cell_type == "code" and c.source
    ]


def _strings(value: object, path: str = "") -> list[tuple[str, str]]:
    """Every string of a parsed notebook with where it is (keys included)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [(f"{path}.{k}", k) for k in value] + [
            s for k, v in value.items() for s in _strings(v, f"{path}.{k}")
        ]
    return []


@pytest.mark.integration
def test_the_published_notebook_equals_the_raw_one_but_for_the_planted_values(built):
    raw = json.loads(built["raw"].read_text(encoding="utf-8"))
    published = json.loads(built["single"].notebook.read_text(encoding="utf-8"))
    raw_strings, published_strings = _strings(raw), _strings(published)
    assert [p for p, _ in raw_strings] == [p for p, _ in published_strings]
    replaced = 0
    for (where, before), (_, after) in zip(raw_strings, published_strings, strict=True):
        expected = before
        for token in TOKENS:
            expected = expected.replace(token, PLACEHOLDER)
        assert after == expected, where  # figures, dates, amounts and ids untouched
        replaced += before != after
    assert replaced > 0
    # numbers outside strings too (execution counts, chart data values)
    assert _numbers(raw) == _numbers(published)


def _numbers(value: object) -> list[object]:
    if isinstance(value, bool | int | float) or value is None:
        return [value]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    return []


@pytest.mark.integration
def test_manifests_record_the_redaction_time(built):
    for manifest in built["out"].rglob("manifest.json"):
        timings = json.loads(manifest.read_text(encoding="utf-8"))["timings_seconds"]
        # the notebook and the template's files: a few hundredths of a second
        assert 0 <= timings["redact"] < 1.0, (manifest, timings)


# --- the same function, unit by unit -------------------------------------------------------

FIGURES = [
    "1億6,700万円", "¥12.3M", "1,234万円", "$1.2M", "120万ドル", "US$1,234,567.89",
    "R$ 1.234,56", "R$ 1.234.567,89", "+R$ 12.345,67", "€1.2M", "1.234.567,89 €", "£1.2M",
    "₹12,34,567", "₩1,234,567", "CN¥1,234", "+12.345.678", "−12.345.678", "+1.234.567",
    "2026-11-23", "2026/11/23", "23.11.2026", "2026-W47", "FY2026-Q2", "2026-10", "OPP-000123",
    "MA-046290", "+12.5%", "12:00:00,123", "2026-11-23 09:00:00,123",
]  # fmt: skip


@pytest.mark.parametrize("figure", FIGURES)
def test_figures_are_never_redacted(figure):
    for shown in (figure, f"<td>{figure}</td>", json.dumps({"v": f"実績 {figure}"})):
        assert redact_text(shown) == shown


@pytest.mark.parametrize("planted", PLANTED)
def test_a_value_glued_to_japanese_text_is_redacted(planted):
    # how a summary names a segment: 「営業チーム: Team B x@example.orgのMQL→SQL 転換率」
    redacted = redact_text(f"［フォロー］営業チーム: Team B {planted}のMQL→SQL 転換率 38.5%")
    shown = planted
    for token in TOKENS:
        shown = shown.replace(token, PLACEHOLDER)
    assert redacted.endswith(f"{shown}のMQL→SQL 転換率 38.5%")
    assert not any(token in redacted for token in TOKENS)


@pytest.mark.parametrize("planted", PLANTED)
def test_a_value_in_a_json_specification_is_redacted_and_stays_json(planted):
    # how a chart's specification sits in a page: "<" and non-ASCII text as \u escapes
    spec = json.dumps({"label": f"ウェビナー{planted}", "n": 12}).replace("<", "\\u003c")
    for text in (spec, json.dumps({"line": f"\n{planted}\n"})):
        redacted = redact_text(text)
        assert json.loads(redacted)  # still JSON: no escape was cut
        assert not any(token in json.loads(redacted).__repr__() for token in TOKENS), redacted
        assert PLACEHOLDER in redacted


def test_redact_notebook_covers_sources_outputs_and_metadata():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {"m1": {"state": {"value": EMAILS[0], "options": [PHONES[1], "kanto"]}}},
            "version_major": 2,
        }
    }
    nb.metadata["papermill"] = {"parameters": {"segment": f"region={PHONES[0]}", "n": 3}}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Owner: {EMAILS[1]}"))
    nb.cells.append(nbformat.v4.new_raw_cell(PHONES[2]))
    code = nbformat.v4.new_code_cell(f'segment = "{EMAILS[2]}"')
    code.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=f"warning: {PHONES[3]}\n"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/markdown": f"**{EMAILS[0]}** ¥1,234,567",
                "text/latex": f"$ {PHONES[0]} $",
                "application/vnd.custom+json": {"rows": [{"who": EMAILS[1], "amount": 1.5}]},
                "application/vnd.jupyter.widget-view+json": {"model_id": "m1"},
                "image/png": "iVBORw0KGgo+81312345678==",
            },
            metadata={"note": PHONES[1]},
        ),
        nbformat.v4.new_output(
            "error",
            ename="KeyError",
            evalue=f"'{EMAILS[0]}'",
            traceback=[f"KeyError: '{EMAILS[0]}' at {PHONES[0]}"],
        ),
    ]
    nb.cells.append(code)
    before = json.dumps(nb, sort_keys=True)
    redacted = redact_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before  # the input is left unchanged
    text = json.dumps(redacted, ensure_ascii=False)
    for token in TOKENS:
        assert token not in text
    data = redacted.cells[2].outputs[1].data
    assert data["image/png"] == "iVBORw0KGgo+81312345678=="  # binary: kept
    assert data["text/markdown"] == f"**{PLACEHOLDER}** ¥1,234,567"
    assert data["application/vnd.custom+json"]["rows"] == [{"who": "Jane <[redacted]>",
                                                           "amount": 1.5}]  # fmt: skip
    assert redacted.metadata.papermill.parameters == {"segment": "region=[redacted]", "n": 3}
    nbformat.validate(redacted)


def test_redact_folder_redacts_text_files_and_withholds_binary_ones(tmp_path):
    (tmp_path / "notebook.ipynb").write_text(json.dumps({"cells": [PHONES[0]]}), encoding="utf-8")
    (tmp_path / "proposals.json").write_text(json.dumps([{"segment": EMAILS[0]}]), "utf-8")
    (tmp_path / "targets-draft-FY2026-Q3.yml").write_text(f"# by {EMAILS[1]}\na: 1\n", "utf-8")
    (tmp_path / "export.xlsx").write_bytes(b"PK\x03\x04\xff\xfe" + EMAILS[0].encode())
    (tmp_path / "pack.html").write_text(f"<p>{PLACEHOLDER}</p>", encoding="utf-8")
    assert redact_folder(tmp_path) == ["export.xlsx"]
    assert not (tmp_path / "export.xlsx").exists()
    assert json.loads((tmp_path / "notebook.ipynb").read_text("utf-8")) == {"cells": [PLACEHOLDER]}
    assert json.loads((tmp_path / "proposals.json").read_text("utf-8")) == [
        {"segment": PLACEHOLDER}
    ]
    draft = (tmp_path / "targets-draft-FY2026-Q3.yml").read_text("utf-8")
    assert draft == "# by Jane <[redacted]>\na: 1\n"


def test_redact_data_redacts_keys_and_keeps_numbers():
    assert redact_data({EMAILS[0]: [1, 2.5, None, True], "n": PHONES[0]}) == {
        PLACEHOLDER: [1, 2.5, None, True], "n": PLACEHOLDER,
    }  # fmt: skip


def test_a_proposal_whose_segment_was_redacted_is_not_adopted():
    import datetime as dt

    record = {"proposal_id": "P-2026-10-01", "action": "x", "family": "target", "kpi": "mql",
              "dims": ["channel"], "values": [f"webinar {PLACEHOLDER}"], "owner": "marketing",
              "period": "2026-10", "lang": "en"}  # fmt: skip
    with pytest.raises(ParameterError, match=r"redacted in proposals\.json"):
        action_from_proposal(
            record, start=dt.date(2026, 11, 24), due=dt.date(2026, 12, 24), currency="JPY"
        )


def test_the_index_redacts_what_older_runs_recorded(tmp_path):
    # a failed run and a pack recorded before redaction: their files still quote the values
    kept = tmp_path / "_failed" / "weekly" / "2026-W47" / "20261124T013500Z-ab12-ja"
    kept.mkdir(parents=True)
    (kept / "notebook.ipynb").write_text("{}", encoding="utf-8")
    error = f"weekly_review.ipynb failed for 2026-W47: KeyError: '{EMAILS[0]}' ({PHONES[2]})"
    failure = {"status": "failed", "cadence": "weekly", "period": "2026-W47", "lang": "ja",
               "segment": None, "error": error,
               "failed_at": "2026-11-24T01:35:00+00:00"}  # fmt: skip
    (kept / "failure.json").write_text(json.dumps(failure), encoding="utf-8")
    pack = tmp_path / "weekly" / "2026-W46"
    pack.mkdir(parents=True)
    manifest = {"status": "ok", "cadence": "weekly", "period": "2026-W46", "lang": "ja",
                "title": f"週次レビュー {PHONES[1]}", "segment": None, "company": EMAILS[1],
                "period_end": "2026-11-15", "data_freshness": "2026-11-16T00:00:00+09:00",
                "built_at": "2026-11-16T01:00:00+00:00"}  # fmt: skip
    (pack / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = write_index(tmp_path, lang="ja", timezone="Asia/Tokyo").read_text(encoding="utf-8")
    assert "KeyError: &#x27;[redacted]&#x27; ([redacted])" in page
    assert f"週次レビュー {PLACEHOLDER}" in page
    for token in TOKENS:
        assert token not in page and escape(token) not in page


def test_the_batch_log_is_redacted(tmp_path):
    log = open_log(tmp_path / "batch-test.log")
    try:
        log.error("%s: not built: %s", "weekly/company/ja", f"no lead has {EMAILS[1]}")
    finally:
        close_log(log)
    line = (tmp_path / "batch-test.log").read_text(encoding="utf-8")
    assert line.endswith("ERROR weekly/company/ja: not built: no lead has Jane <[redacted]>\n")


def test_a_source_never_imported_shows_no_last_import(con):
    # the planted store: the sample's two sources, an import recorded for one of them only
    con.execute(
        "INSERT INTO leads (lead_id, source_system, created_at) VALUES "
        "('L1', 'ma', TIMESTAMPTZ '2026-11-01 09:00:00+09'), "
        "('L2', 'sfa', TIMESTAMPTZ '2026-11-02 09:00:00+09')"
    )
    at = "TIMESTAMPTZ '2026-11-20 09:00:00+09'"
    con.execute(
        f"INSERT INTO imports VALUES ('i1', 'leads.csv', 'f00d', 'ma_leads', 'ma', 1, 1, 0, 0, "
        f"0, {at}, {at})"
    )
    quality = data_quality(con, timezone="Asia/Tokyo")
    last = dict(
        zip(quality.freshness["source_system"], quality.freshness["last_import"], strict=True)
    )
    assert last["sfa"] is None and last["ma"].isoformat() == "2026-11-20T09:00:00+09:00"
    html = quality_html(quality, lang="en").html
    assert "Nov 20, 2026" in html or "20 Nov 2026" in html, html
