"""read_table: CSV/TSV in UTF-8, UTF-8 with BOM and CP932; Excel; Parquet; headers, footers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from reviewkit.errors import DataError, ParameterError
from reviewkit.ingest.readers import RawTable, read_table

FIXTURES = Path(__file__).parents[1] / "fixtures" / "imports"


def one_line_error(exc: pytest.ExceptionInfo[BaseException], path: Path) -> str:
    message = str(exc.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- CSV / TSV and encodings -----------------------------------------------------------------


def test_hubspot_contacts_utf8():
    table = read_table(FIXTURES / "hubspot_contacts.csv", required=["Record ID", "Email"])
    assert isinstance(table, RawTable)
    assert table.encoding == "utf-8"
    assert table.header_row == 1
    assert table.row_numbers == [2, 3, 4]
    assert table.dropped_footer == []
    assert list(table.frame.columns)[:4] == ["Record ID", "First Name", "Last Name", "Email"]
    assert all(str(dtype) == "object" for dtype in table.frame.dtypes)
    first = table.frame.iloc[0]
    assert first["Record ID"] == "1001"
    assert first["Became a Sales Qualified Lead Date"] is None
    last = table.frame.iloc[2]
    assert last["Email"] == "ken.sato@example.org"  # stripped
    assert last["Last Name"] == "佐藤"
    assert last["Phone Number"] is None


def test_utf8_bom_crlf():
    table = read_table(FIXTURES / "hubspot_deals_bom.csv", required=["Deal ID"])
    assert table.encoding == "utf-8-sig"
    assert table.frame.columns[0] == "Deal ID"
    assert table.frame["Amount"].tolist() == ["$22,700.00", "¥1,234,000"]
    assert table.frame["Deal Name"].iloc[1] == "株式会社サンプル 新規"
    assert table.frame["Close Date"].iloc[1] is None
    assert table.row_numbers == [2, 3]


def test_utf8_given_for_a_bom_file_drops_the_bom():
    table = read_table(FIXTURES / "hubspot_deals_bom.csv", encoding="utf-8")
    assert table.encoding == "utf-8-sig"
    assert table.frame.columns[0] == "Deal ID"


def test_cp932_detected_with_japanese_headers_title_and_total():
    table = read_table(FIXTURES / "leads_cp932.csv", required=["リードID", "作成日", "金額"])
    assert table.encoding == "cp932"
    assert table.header_row == 2
    assert list(table.frame.columns) == [
        "リードID",
        "作成日",
        "流入元",
        "商談化日",
        "受注日",
        "金額",
        "会社名",
    ]
    assert table.row_numbers == [3, 4, 5]
    assert table.frame["金額"].tolist() == ["1,234,000円", "123.4万円", None]
    assert table.frame["会社名"].tolist() == [
        "株式会社サンプル",
        "髙橋工業㈱",
        None,
    ]  # CP932-only 髙 ㈱
    assert table.frame["流入元"].iloc[2] == "セミナー①"
    assert table.dropped_footer == ['合計,,,,,"2,468,000円",']


def test_cp932_header_found_without_required_by_width():
    table = read_table(FIXTURES / "leads_cp932.csv")
    assert table.header_row == 2
    assert table.frame.columns[0] == "リードID"


@pytest.mark.parametrize(
    "given", ["cp932", "shift_jis", "Shift-JIS", "SJIS", "ms932", "Windows-31J", "MS_Kanji"]
)
def test_cp932_given_under_any_name(given):
    table = read_table(FIXTURES / "leads_cp932.csv", encoding=given)
    assert table.encoding == "cp932"
    assert table.frame["会社名"].iloc[1] == "髙橋工業㈱"


def test_wrong_encoding_given():
    path = FIXTURES / "leads_cp932.csv"
    with pytest.raises(DataError) as exc:
        read_table(path, encoding="utf-8")
    message = one_line_error(exc, path)
    assert "not valid utf-8" in message
    assert "line 1" in message
    assert "--encoding" in message


def test_unknown_encoding_name():
    with pytest.raises(ParameterError, match="encoding 'klingon' is not known; use utf-8"):
        read_table(FIXTURES / "hubspot_contacts.csv", encoding="klingon")


def test_neither_utf8_nor_cp932():
    path = FIXTURES / "latin1.csv"
    with pytest.raises(DataError) as exc:
        read_table(path)
    message = one_line_error(exc, path)
    assert "the file is not UTF-8 or CP932 (Shift_JIS); save it as UTF-8 or pass --encoding" in (
        message
    )
    assert message.endswith("(first bad UTF-8 byte 0xfc on line 2)")


def test_latin1_readable_when_given():
    table = read_table(FIXTURES / "latin1.csv", encoding="latin-1")
    assert table.frame["name"].tolist() == ["Müller", "Café"]


@pytest.mark.parametrize(("given", "used"), [(None, "utf-16"), ("utf-16", "utf-16")])
def test_utf16_excel_unicode_text(tmp_path, given, used):
    path = tmp_path / "export.txt"
    path.write_bytes("\ufeffリードID\t金額\r\nL-1\t1,000円\r\n".encode("utf-16-le"))
    table = read_table(path, encoding=given)
    assert table.encoding == used
    assert table.frame.to_dict("records") == [{"リードID": "L-1", "金額": "1,000円"}]


def test_salesforce_report_titles_quotes_and_footer():
    path = FIXTURES / "salesforce_opportunities.csv"
    table = read_table(path, required=["Opportunity ID", "Amount", "Close Date"])
    assert table.header_row == 3
    assert table.row_numbers == [4, 5]
    assert table.frame["Opportunity ID"].tolist() == ["0065g00000AbCdE", "0065g00000FgHiJ"]
    assert table.frame["Amount"].tolist() == ["$22,700.00", "$1,500.00"]
    assert table.dropped_footer == [
        '"Grand Totals (2 records)","","","","$24,200.00","","","",""',
        "",
        '"Confidential Information - Do Not Distribute"',
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
    ]


def test_salesforce_header_found_by_hint():
    path = FIXTURES / "salesforce_opportunities.csv"
    table = read_table(path, header_hint=["Opportunity ID", "Deal ID", "Stage"])
    assert table.header_row == 3
    assert len(table.frame) == 2


def test_quoted_multiline_fields_keep_their_start_lines():
    table = read_table(FIXTURES / "multiline.csv", required=["Lead ID"])
    assert table.row_numbers == [2, 4, 5]
    assert table.frame["Notes"].tolist() == [
        "First line\nsecond line, with comma",
        None,
        "three\nline\nnote",
    ]
    assert table.frame["Company"].iloc[1] == 'Globex "Intl"'


def test_multiline_crlf(tmp_path):
    path = write(tmp_path, "crlf.csv", 'id,notes\r\n1,"a\r\nb"\r\n2,c\r\n')
    table = read_table(path)
    assert table.row_numbers == [2, 4]
    assert table.frame["notes"].tolist() == ["a\r\nb", "c"]


def test_tsv_with_commas_in_values():
    table = read_table(FIXTURES / "contacts.tsv", required=["Contact ID"])
    assert table.frame["Name"].tolist() == ["Doe, Jane", "Roe, John"]
    assert table.frame["Email"].tolist() == ["jane@example.com", None]


def test_csv_suffix_with_tabs_is_sniffed(tmp_path):
    path = write(tmp_path, "tabs.csv", "id\tamount\n1\t1,234,000円\n2\t$22,700.00\n")
    assert read_table(path).frame["amount"].tolist() == ["1,234,000円", "$22,700.00"]


def test_csv_suffix_with_semicolons_is_sniffed(tmp_path):
    path = write(tmp_path, "semi.csv", "id;name;amount\n1;A, Inc.;1,5\n2;B;2\n")
    assert read_table(path).frame["name"].tolist() == ["A, Inc.", "B"]


def test_sniffing_prefers_the_delimiter_that_yields_required(tmp_path):
    path = write(tmp_path, "semi.csv", "id;name\n1;A,B\n")
    assert read_table(path, required=["name"]).frame["name"].tolist() == ["A,B"]


def test_excel_sep_line(tmp_path):
    path = write(tmp_path, "sep.csv", "sep=;\nid;name\n1;x,y\n")
    table = read_table(path)
    assert table.header_row == 2
    assert table.row_numbers == [3]
    assert table.frame["name"].tolist() == ["x,y"]


def test_excel_keep_as_text_values_unwrapped(tmp_path):
    path = write(tmp_path, "codes.csv", 'code,zip\n="00123",="100-0001"\n')
    assert read_table(path).frame.iloc[0].tolist() == ["00123", "100-0001"]


def test_whitespace_variants_stripped_and_empty_is_none(tmp_path):
    path = write(tmp_path, "ws.csv", "a,b,c\n\u3000x\u3000, \t ,\xa0y\n")
    assert read_table(path).frame.iloc[0].tolist() == ["x", None, "y"]


def test_blank_rows_inside_the_data_are_skipped(tmp_path):
    path = write(tmp_path, "gaps.csv", "a,b\n1,2\n\n,\n3,4\n")
    table = read_table(path)
    assert table.frame["a"].tolist() == ["1", "3"]
    assert table.row_numbers == [2, 5]


def test_trailing_single_cell_rows_are_footer(tmp_path):
    path = write(tmp_path, "foot.csv", "a,b,c\n1,2,3\n4,5,6\nGenerated 2026-11-23,,\n\n")
    table = read_table(path)
    assert table.row_numbers == [2, 3]
    assert table.dropped_footer == ["Generated 2026-11-23,,", ""]


@pytest.mark.parametrize(
    "footer",
    [
        "Total,,,100",
        "Totals,1,2,3",
        '"Grand Totals (12 records)","","",""',
        "合計,1,2,3",
        "総計,,,9",
        "合計(12件),,,9",
        "Grand Total:,,,9",
        "機密情報 - 配布禁止",
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
        "Confidential Information - Do Not Distribute",
    ],
)
def test_footer_patterns(tmp_path, footer):
    path = write(tmp_path, "f.csv", f"a,b,c,d\n1,2,3,4\n{footer}\n")
    table = read_table(path)
    assert table.row_numbers == [2]
    assert table.dropped_footer == [footer]


@pytest.mark.parametrize("first", ["Total Solutions Inc.", "合計金額テスト", "Totally Ltd"])
def test_company_names_like_total_are_not_footer(tmp_path, first):
    path = write(tmp_path, "t.csv", f"company,amount\nAcme,1\n{first},2\n")
    table = read_table(path)
    assert table.frame["company"].tolist() == ["Acme", first]
    assert table.dropped_footer == []


def test_single_column_file_keeps_its_last_row(tmp_path):
    path = write(tmp_path, "one.csv", "email\na@example.com\nb@example.com\n")
    table = read_table(path)
    assert table.frame["email"].tolist() == ["a@example.com", "b@example.com"]
    assert table.dropped_footer == []


def test_required_matches_case_and_width_and_takes_the_given_spelling(tmp_path):
    path = write(tmp_path, "case.csv", "RECORD  ID,ＥＭＡＩＬ,other\n1,a@x.jp,z\n")
    table = read_table(path, required=["Record ID", "Email"])
    assert list(table.frame.columns) == ["Record ID", "Email", "other"]


def test_duplicate_and_blank_header_cells(tmp_path):
    path = write(tmp_path, "dup.csv", "Name,Name,,x,\n1,2,3,4,\n")
    table = read_table(path, header_hint=["x"])  # a repeated column nobody reads is kept
    assert list(table.frame.columns) == ["Name", "Name.1", "Unnamed: 2", "x"]


@pytest.mark.parametrize("hint", [[], ["Name"]])
def test_a_column_named_twice_is_refused_naming_both(tmp_path, hint):
    path = write(tmp_path, "dup.csv", "id,Name,x, name \n1,2,3,4\n")
    with pytest.raises(DataError) as exc:
        read_table(path, header_hint=hint)
    message = one_line_error(exc, path)
    assert "column 2 'Name' and column 4 'name'" in message
    assert "rename or delete one" in message


def test_short_rows_padded_with_none(tmp_path):
    path = write(tmp_path, "short.csv", "a,b,c\n1,2\n4,5,6\n")
    assert read_table(path).frame.iloc[0].tolist() == ["1", "2", None]


def test_missing_required_columns():
    path = FIXTURES / "hubspot_contacts.csv"
    with pytest.raises(DataError) as exc:
        read_table(path, required=["Deal ID", "Amount", "Email"])
    message = one_line_error(exc, path)
    assert "missing column(s) 'Deal ID', 'Amount'" in message
    assert "(found: 'Record ID', 'First Name'," in message
    assert "and 1 more" not in message
    assert "choose another profile with --profile" in message


def test_missing_required_columns_trims_found_list(tmp_path):
    header = ",".join(f"col{i}" for i in range(20))
    path = write(tmp_path, "wide.csv", header + "\n" + ",".join("x" * 20) + "\n")
    with pytest.raises(DataError) as exc:
        read_table(path, required=["Record ID"])
    message = one_line_error(exc, path)
    assert "'col11' and 8 more)" in message
    assert "'col12'" not in message


def test_header_beyond_the_search_window_is_not_found(tmp_path):
    path = write(tmp_path, "deep.csv", "title\n" * 30 + "id,name\n1,x\n")
    with pytest.raises(DataError, match=r"missing column\(s\) 'id'"):
        read_table(path, required=["id"])


def test_row_wider_than_header(tmp_path):
    path = write(tmp_path, "wide_row.csv", "a,b\n1,2\n3,4,5\n6,7,\n")
    with pytest.raises(DataError) as exc:
        read_table(path)
    message = one_line_error(exc, path)
    assert "1 row(s) have more values than the 2 header columns (line 3)" in message


def test_unterminated_quote(tmp_path):
    path = write(tmp_path, "quote.csv", 'a,b\n1,"open\n2,3\n')
    with pytest.raises(DataError) as exc:
        read_table(path)
    message = one_line_error(exc, path)
    assert "line 2 cannot be read as CSV" in message


# --- file-level errors -----------------------------------------------------------------------


def test_empty_file():
    path = FIXTURES / "empty.csv"
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert "has no data rows" in one_line_error(exc, path)


def test_blank_lines_only(tmp_path):
    path = write(tmp_path, "blank.csv", "\n\r\n  \n")
    with pytest.raises(DataError, match="has no data rows"):
        read_table(path)


def test_header_only():
    path = FIXTURES / "header_only.csv"
    with pytest.raises(DataError) as exc:
        read_table(path, required=["Record ID"])
    assert "has no data rows below its header (line 1)" in one_line_error(exc, path)


def test_header_then_footer_only(tmp_path):
    path = write(tmp_path, "hf.csv", '"id","x"\n\n"Confidential Information - Do Not Distribute"\n')
    with pytest.raises(DataError, match="no data rows"):
        read_table(path)


def test_binary_file():
    path = FIXTURES / "binary.csv"
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert "the file is binary, not CSV/TSV text" in one_line_error(exc, path)


def test_workbook_saved_as_csv(tmp_path):
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 20)
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert "give an Excel file the .xlsx suffix" in one_line_error(exc, path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("data.json", "unknown file type '.json'; allowed: .csv, .txt, .tsv, .xlsx"),
        ("data", "unknown file type '(no suffix)'"),
        ("old.xls", "old Excel .xls files are not read; save it as .xlsx or CSV"),
    ],
)
def test_unknown_suffix(tmp_path, name, expected):
    path = write(tmp_path, name, "a,b\n1,2\n")
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert expected in one_line_error(exc, path)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert "no such file" in one_line_error(exc, path)


# --- Excel -----------------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    sheet.append(["Opportunities by Stage"])
    sheet.append([])
    sheet.append(["Opportunity ID", "Amount", "Close Date", "Created", "Probability (%)", "Won"])
    sheet.append(
        ["006A", 22700.5, dt.datetime(2026, 12, 31), dt.datetime(2026, 10, 1, 9, 5), 90, True]
    )
    sheet.append([" 006B ", 1500, dt.date(2027, 1, 15), None, 0.1, False])
    sheet.append(["Grand Totals (2 records)", 24200.5])
    sheet.append(["Confidential Information - Do Not Distribute"])
    other = book.create_sheet("Leads")
    other.append(["リードID", "作成日"])
    other.append(["L-1", "2026/11/23"])
    path = tmp_path / "report.xlsx"
    book.save(path)
    return path


def test_xlsx_cells_as_text(workbook):
    table = read_table(workbook, required=["Opportunity ID"])
    assert table.encoding is None
    assert table.header_row == 3
    assert table.row_numbers == [4, 5]
    assert table.frame.to_dict("records") == [
        {
            "Opportunity ID": "006A",
            "Amount": "22700.5",
            "Close Date": "2026-12-31",
            "Created": "2026-10-01 09:05:00",
            "Probability (%)": "90",
            "Won": "true",
        },
        {
            "Opportunity ID": "006B",
            "Amount": "1500",
            "Close Date": "2027-01-15",
            "Created": None,
            "Probability (%)": "0.1",
            "Won": "false",
        },
    ]
    assert table.dropped_footer == [
        "Grand Totals (2 records),24200.5",
        "Confidential Information - Do Not Distribute",
    ]


@pytest.mark.parametrize("sheet", ["Leads", 1])
def test_xlsx_sheet_by_name_or_position(workbook, sheet):
    table = read_table(workbook, sheet=sheet, required=["リードID"])
    assert table.frame.to_dict("records") == [{"リードID": "L-1", "作成日": "2026/11/23"}]
    assert table.row_numbers == [2]


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [("Nope", "sheet 'Nope' does not exist; the workbook has 'Report', 'Leads'"), (5, "sheet 5")],
)
def test_xlsx_unknown_sheet(workbook, sheet, expected):
    with pytest.raises(ParameterError) as exc:
        read_table(workbook, sheet=sheet)
    assert expected in one_line_error(exc, workbook)


def test_xlsx_missing_required(workbook):
    with pytest.raises(DataError) as exc:
        read_table(workbook, required=["Deal ID"])
    message = one_line_error(exc, workbook)
    assert "missing column(s) 'Deal ID' (found: 'Opportunity ID', 'Amount'," in message


def test_xlsx_not_a_workbook(tmp_path):
    path = write(tmp_path, "fake.xlsx", "a,b\n1,2\n")
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert "cannot be read as an Excel .xlsx workbook" in one_line_error(exc, path)


# --- Parquet ---------------------------------------------------------------------------------


@pytest.fixture
def parquet(tmp_path) -> Path:
    path = tmp_path / "deals.parquet"
    duckdb.execute(
        f"""
        COPY (
            SELECT * FROM (VALUES
                ('9001', 22700.00::DECIMAL(18, 2), DATE '2026-12-31',
                 TIMESTAMP '2026-10-01 09:05:00', 3, '  Acme  '),
                ('9002', NULL, NULL, NULL, NULL, '')
            ) AS t("Deal ID", "Amount", "Close Date", "Create Date", "Seats", "Deal Name")
        ) TO '{path}' (FORMAT parquet)
        """
    )
    return path


def test_parquet_values_as_text(parquet):
    table = read_table(parquet, required=["Deal ID", "amount"])
    assert table.encoding is None
    assert table.header_row == 0
    assert table.row_numbers == [1, 2]
    assert table.dropped_footer == []
    assert table.frame.to_dict("records") == [
        {
            "Deal ID": "9001",
            "amount": "22700.00",
            "Close Date": "2026-12-31",
            "Create Date": "2026-10-01 09:05:00",
            "Seats": "3",
            "Deal Name": "Acme",
        },
        {
            "Deal ID": "9002",
            "amount": None,
            "Close Date": None,
            "Create Date": None,
            "Seats": None,
            "Deal Name": None,
        },
    ]


def test_parquet_missing_required(parquet):
    with pytest.raises(DataError) as exc:
        read_table(parquet, required=["Record ID"])
    assert "missing column(s) 'Record ID' (found: 'Deal ID'," in one_line_error(exc, parquet)


def test_parquet_without_rows(tmp_path):
    path = tmp_path / "none.parquet"
    duckdb.execute(f"COPY (SELECT 1 AS id WHERE false) TO '{path}' (FORMAT parquet)")
    with pytest.raises(DataError, match="has no data rows"):
        read_table(path)


def test_parquet_not_parquet(tmp_path):
    path = write(tmp_path, "fake.parquet", "a,b\n1,2\n")
    with pytest.raises(DataError) as exc:
        read_table(path)
    assert "cannot be read as Parquet" in one_line_error(exc, path)


# --- RawTable ------------------------------------------------------------------------------


def test_raw_table_is_frozen():
    table = read_table(FIXTURES / "contacts.tsv")
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.header_row = 2  # type: ignore[misc]
