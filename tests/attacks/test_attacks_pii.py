"""Attacks, personal data: contact data planted in imported data and in command-line arguments.

Every form of e-mail address and phone number that redaction must catch (issue 20, point 1) is
planted in an export of a copied zoo workspace (Northwind, Salesforce): appended to the free
text (company names) and to segment columns (industry, state, lead source) of its rows, and in
the exported file's name. The file is imported through the workspace's profile
(``params/sources/sf-leads.yml``); a single run builds the monthly pack in Japanese, and a
batch builds the weekly pack and tries two segments of the schedule: one whose value holds an
address (refused, its job named by a hash), one no lead has (refused, quoting a few redacted
values of the column). No planted form, nor a telling piece of one, may appear in any
published file or path: packs, notebooks, manifests, the index, ``last-batch.json``, the batch
log, ``_failed/``.

The same forms as a ``--segment`` value or a segment's name are refused in one line that
quotes none of them, the store unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from attack_harness import (
    Attack,
    assert_clean_exit,
    assert_no_leak,
    assert_refused,
    attack_workspace,
    params,
    published_files,
    run_cli,
)

from reviewkit.core.redaction import PLACEHOLDER

#: The forms planted in the data: each must be caught wherever it lands.
FORMS = {
    "pii-email-glued-to-japanese": "担当はjohn@example.comです",
    "pii-email-idn": "ユーザー@例え.jp",
    "pii-email-idn-domain": "user@例え.jp",
    "pii-email-idn-local": "ユーザー@example.com",
    "pii-email-address-literal": "user@[192.168.0.1]",
    "pii-email-quoted-local": '"john doe"@example.com',
    "pii-email-mailto": "mailto:john@example.com",
    "pii-email-mailto-percent": "mailto:john%40example.com",
    "pii-email-full-width-at": "john＠example.com",
    "pii-phone-full-width": "０３－１２３４－５６７８",
    "pii-phone-e164": "+81312345678",
    "pii-phone-jp-unseparated": "0312345678",
    "pii-phone-jp-exchange-in-parens": "03(1234)5678",
    "pii-phone-jp-international": "+81-3-1234-5678",
    "pii-phone-jp-area-in-parens": "(03)1234-5678",
    "pii-phone-jp-mobile-spaces": "090 1234 5678",
    "pii-phone-uk": "+44 20 7946 0958",
    "pii-phone-nanp-international": "+1 (415) 555-0100",
}
#: Pieces that would betray a form cut short or half redacted.
FRAGMENTS = ("john@", "john%40", "john＠", "ユーザー@", "user@", "john doe", "192.168.0.1",
             "１２３４", "1234-5678", "1234 5678", "81312345678", "(1234)", "7946 0958",
             "555-0100")  # fmt: skip
FILE_NAME = "leads ユーザー@例え.jp +81312345678.csv"

ATTACKS = [
    *(
        Attack(key, "personal-data", "works", f"{form} in imported text and segment columns")
        for key, form in FORMS.items()
    ),
    Attack("pii-import-file-name", "personal-data", "works", f"an export named {FILE_NAME!r}"),
    Attack(
        "pii-schedule-segment-address",
        "personal-data",
        "failed",
        "a schedule segment whose value holds an address: refused, the job named by a hash",
    ),
    Attack(
        "pii-schedule-segment-unknown-lists-values",
        "personal-data",
        "failed",
        "a schedule segment no lead has: the reason quotes five redacted values, a count",
    ),
    Attack(
        "pii-cli-segment-unknown-lists-values",
        "personal-data",
        "refused",
        "--segment with a value no lead has: five redacted values and a count",
    ),
]
ATTACKS.append(
    Attack("pii-headerless-export", "personal-data", "refused",
           "an export without a header line: its first row of data is named as the columns")
)  # fmt: skip
CLI_SEGMENTS = {
    "pii-cli-segment-email-glued": ("region=NY 担当はjohn@example.comです", ""),
    "pii-cli-segment-email-idn": ("region=ユーザー@例え.jp", ""),
    "pii-cli-segment-email-quoted": ('industry="john doe"@example.com', ""),
    "pii-cli-segment-mailto-percent": ("channel=mailto:john%40example.com", ""),
    "pii-cli-segment-phone-full-width": ("region=NY ０３－１２３４－５６７８", ""),
    "pii-cli-segment-phone-e164-group": ("region=NY,+81312345678", ""),
    "pii-cli-segment-name-phone": ("region=NY,CA", "call 03(1234)5678"),
}
ATTACKS += [
    Attack(key, "personal-data", "refused", f"--segment {value!r} --segment-name {name!r}")
    for key, (value, name) in CLI_SEGMENTS.items()
]
PLANTED = [*FORMS.values(), *(v for pair in CLI_SEGMENTS.values() for v in pair if v)]
BY_ID = {a.id: a for a in ATTACKS}

SCHEDULE = f"""\
packs:
  - name: company
    cadences: [weekly]
    langs: [en]
  - name: planted
    cadences: [weekly]
    langs: [en]
    segments:
      region: [{json.dumps("NY " + FORMS["pii-email-glued-to-japanese"], ensure_ascii=False)}]
  - name: unknown
    cadences: [weekly]
    langs: [en]
    segments:
      region: [okinawa]
"""


def plant(source: Path, target: Path) -> None:
    """Copy the leads export with a planted form appended to text and segment columns."""
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    forms = list(FORMS.values())
    columns = [header.index(c) for c in ("Industry", "State/Province", "Lead Source")]
    company = header.index("Company / Account")
    for i, row in enumerate(body):
        if len(row) != len(header):  # the report's footer lines
            continue
        form = forms[i % len(forms)]
        column = columns[(i // len(forms)) % len(columns)]
        row[column] = f"{row[column]} {form}"
        row[company] = f"{row[company]} {forms[(i + 7) % len(forms)]}"
    with target.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows([header, *body])


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The planted workspace after its import, a single run and a batch (module notes)."""
    ws = attack_workspace(tmp_path_factory.mktemp("pii"), tmp_path_factory)
    export = ws / "exports" / FILE_NAME
    plant(ws / "exports" / "salesforce_leads.csv", export)
    (ws / "exports" / "salesforce_leads.csv").unlink()
    imported = run_cli("import", str(export), "--profile", "sf-leads", cwd=ws)
    assert_clean_exit(imported)
    single = run_cli("run", "monthly", "--as-of", "auto", "--lang", "ja", cwd=ws)
    assert_clean_exit(single)
    (ws / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    batch = run_cli("batch", "--as-of", "auto", "--jobs", "1", cwd=ws)
    return {"ws": ws, "import": imported, "single": single, "batch": batch}


def store_digest(workspace: Path) -> dict[str, tuple[int, str]]:
    """``{table: (rows, hash)}`` of the store, every value read as text.

    (The harness' ``store_digest`` reads timestamps with time zones as Python values, which
    needs pytz, not installed.)
    """
    con = duckdb.connect(str(workspace / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]  # fmt: skip
        digest = {}
        for table in tables:
            rows = con.execute(
                f'SELECT * FROM (SELECT COLUMNS(*)::VARCHAR FROM "{table}") ORDER BY ALL'
            ).fetchall()
            digest[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return digest
    finally:
        con.close()


def _published_text(ws: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in published_files(ws))  # fmt: skip


@pytest.mark.integration
@pytest.mark.parametrize("attack", params([BY_ID[key] for key in FORMS]))
def test_a_planted_form_reaches_no_published_file(attack: Attack, planted) -> None:
    ws = planted["ws"]
    form = FORMS[attack.id]
    assert_no_leak(ws, [form])
    for stream in ("import", "single", "batch"):  # what the terminal shows (and CI logs keep)
        shown = planted[stream].stdout + planted[stream].stderr
        assert form not in shown.replace(FILE_NAME, ""), stream  # (the user's own file name)


@pytest.mark.integration
def test_the_planted_values_reached_the_packs_as_the_placeholder(planted) -> None:
    ws = planted["ws"]
    assert "updated 25" in planted["import"].stdout or "loaded" in planted["import"].stdout
    packs = [p for p in published_files(ws) if p.name in ("pack.html", "notebook.ipynb")]
    assert len(packs) >= 4, packs  # the monthly (ja) and weekly (en) packs and notebooks
    for path in packs:
        assert PLACEHOLDER in path.read_text(encoding="utf-8"), path
    text = _published_text(ws)
    for fragment in FRAGMENTS:
        assert fragment not in text, fragment


@pytest.mark.integration
@pytest.mark.parametrize("attack", params([BY_ID["pii-import-file-name"]]))
def test_the_export_s_file_name_is_not_published(attack: Attack, planted) -> None:
    ws = planted["ws"]
    assert_no_leak(ws, [FILE_NAME, "ユーザー@例え.jp", "+81312345678"])


@pytest.mark.integration
@pytest.mark.parametrize(
    "attack",
    params(
        [BY_ID["pii-schedule-segment-address"], BY_ID["pii-schedule-segment-unknown-lists-values"]]
    ),
)
def test_a_schedule_segment_is_refused_without_quoting_contact_data(attack: Attack, planted):
    ws, batch = planted["ws"], planted["batch"]
    assert batch.returncode == 1, batch.stderr[-2000:]  # two jobs failed, the other built
    assert "Traceback" not in batch.stderr and "unexpected" not in batch.stderr.lower()
    report = json.loads((ws / "outputs" / "_logs" / "last-batch.json").read_text("utf-8"))
    failed = {o["name"]: o["error"] for o in report["failed"]}
    assert len(failed) == 2, failed
    if attack.id == "pii-schedule-segment-address":
        (name,) = [n for n in failed if "redacted" in n]
        assert name.startswith("weekly/region-redacted-") and name.endswith("/en"), name
        assert "holding an e-mail address or phone number" in failed[name]
    else:
        error = failed["weekly/region-okinawa/en"]
        assert "no lead in the store has region='okinawa'" in error
        assert error.count("'") <= 2 * 7 and " more " in error, error  # five values, a count
    assert_no_leak(ws, PLANTED)
    index = (ws / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "okinawa" in index  # the failure is on the index, its reason redacted


@pytest.mark.integration
@pytest.mark.parametrize("attack", params([BY_ID["pii-cli-segment-unknown-lists-values"]]))
def test_an_unknown_cli_segment_quotes_a_few_redacted_values(attack: Attack, planted) -> None:
    ws = planted["ws"]
    before = store_digest(ws)
    result = run_cli("run", "weekly", "--as-of", "auto", "--segment", "industry=Mining", cwd=ws)
    line = assert_refused(result)
    assert "no lead in the store has industry='Mining'" in line and " more " in line, line
    assert line.count("'") <= 2 * 7, line  # the segment, the value, five examples
    assert not any(form in line for form in PLANTED), line
    assert store_digest(ws) == before


@pytest.mark.parametrize("attack", params([BY_ID[key] for key in CLI_SEGMENTS]))
def test_a_segment_argument_with_contact_data_is_refused_in_one_line(
    attack: Attack, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    value, name = CLI_SEGMENTS[attack.id]
    before = store_digest(ws)
    args = ["run", "weekly", "--as-of", "auto", "--segment", value]
    result = run_cli(*args, *(["--segment-name", name] if name else []), cwd=ws)
    line = assert_refused(result)
    assert "holding an e-mail address or phone number" in line, line
    values = value.split("=", 1)[1].split(",")
    planted = [v for v in (name, *values) if v and v not in ("NY", "CA")]  # the contact data
    assert planted
    for secret in planted:
        assert secret not in result.stderr + result.stdout, secret
    assert store_digest(ws) == before
    assert_no_leak(ws, planted)


@pytest.mark.parametrize("attack", params([BY_ID["pii-headerless-export"]]))
def test_a_headerless_export_is_refused_without_quoting_its_first_row(
    attack: Attack, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    first = [
        "00Q1",
        FORMS["pii-email-idn"],
        FORMS["pii-phone-e164"],
        FORMS["pii-email-quoted-local"],
    ]
    export = ws / "exports" / "no-header.csv"
    with export.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([first, ["00Q2", "john@example.com", "0312345678", "Retail"]])
    before = store_digest(ws)
    line = assert_refused(run_cli("import", str(export), "--profile", "sf-leads", cwd=ws))
    assert "missing column(s)" in line and "00Q1" in line, line  # the row is named, redacted
    assert not any(value in line for value in first[1:]), line
    assert store_digest(ws) == before
