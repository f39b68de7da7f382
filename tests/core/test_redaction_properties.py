"""Redaction, property by property: generated contact data is always caught, figures never.

Generated e-mail addresses (ASCII, IDN, quoted, bracketed, ``mailto:``, full-width ``＠``) and
phone numbers (Japanese domestic and international, full-width digits, North American, UK)
are embedded in generated Japanese text (glued to it, as a summary names a value) and English
text (between words and punctuation): :func:`redact_text` leaves none of them, and nothing
around them is lost. Generated ordinary figures (amounts, dates and times, ids, percentages,
versions, bare numbers of up to eleven digits not starting with 0) in the same kinds of text
are never changed.

Japanese text right after a phone number never starts with a unit (``円``, ``万``, ``億``,
``兆``): ``0312345678円`` is read as an amount.
"""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.core.redaction import PLACEHOLDER, quote_examples, redact_text

EXAMPLES = settings(max_examples=150, deadline=None)

# -- text around the planted values -----------------------------------------------------------

# Hiragana, katakana, kanji and Japanese punctuation (no unit characters: see the notes).
JAPANESE = st.text(
    alphabet="あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよ"
    "らりるれろわをんアイウエオカキクケコサシスセソタチツテトーナニヌネノ営業担当者連絡先"
    "電話番号問合せ会社部長、。「」（）：・　",
    min_size=0,
    max_size=12,
)
WORDS = st.lists(
    st.sampled_from(["Call", "owner", "the", "lead", "from", "Team", "B", "note", "by", "and"]),
    max_size=4,
).map(" ".join)
# What may stand right before and after a value in English text (never a letter or digit).
OPENERS = st.sampled_from(["", " ", "(", "<", "[", ": ", ", ", '"', "'", "\n", "\t"])
CLOSERS = st.sampled_from(["", " ", ")", ">", "]", ".", ", ", ";", '"', "'", "\n", "!"])


@st.composite
def embedded(draw: st.DrawFn, values: st.SearchStrategy[str]) -> tuple[str, str, str, str]:
    """``(before, value, after, text)``: a value in Japanese or English text."""
    value = draw(values)
    if draw(st.booleans()):
        before, after = draw(JAPANESE), draw(JAPANESE)
    else:
        words = draw(WORDS)  # a word is never glued to the value: a space or sign between
        before = words + draw(OPENERS.filter(bool) if words else OPENERS)
        after = draw(CLOSERS) + (" " + draw(WORDS) if draw(st.booleans()) else "")
    return before, value, after, before + value + after


# -- e-mail addresses -------------------------------------------------------------------------

ASCII_LOCAL = st.from_regex(r"[a-z0-9]([a-z0-9._+\-]{0,15}[a-z0-9])?", fullmatch=True)
IDN_LOCAL = st.from_regex(r"[a-z0-9]{0,4}[ぁ-んァ-ヶ一-龠]{1,6}ー?", fullmatch=True)
ASCII_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9\-]{0,10}[a-z0-9])?", fullmatch=True)
IDN_LABEL = st.sampled_from(["例え", "会社", "テスト", "営業部", "ドメイン"])
TLD = st.sampled_from(["com", "jp", "co.jp", "org", "net", "io", "example", "ne.jp"])
IDN_TLD = st.sampled_from(["jp", "com", "日本", "コム"])


@st.composite
def domains(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        labels = draw(st.lists(ASCII_LABEL, min_size=1, max_size=3))
        return ".".join([*labels, draw(TLD)])
    labels = draw(st.lists(st.one_of(IDN_LABEL, ASCII_LABEL), min_size=1, max_size=2))
    return ".".join([*labels, draw(IDN_TLD)])


@st.composite
def addresses(draw: st.DrawFn) -> str:
    """An e-mail address in one of the forms people write and exports hold."""
    kind = draw(st.sampled_from(["ascii", "upper", "idn", "quoted", "literal", "mailto",
                                 "percent", "fullwidth"]))  # fmt: skip
    local = draw(ASCII_LOCAL)
    if kind == "ascii":
        return f"{local}@{draw(domains())}"
    if kind == "upper":
        return f"{local}@{'.'.join(draw(st.lists(ASCII_LABEL, min_size=1, max_size=2)))}.COM"
    if kind == "idn":
        return f"{draw(st.one_of(IDN_LOCAL, ASCII_LOCAL))}@{draw(domains())}"
    if kind == "quoted":
        inner = draw(st.from_regex(r"[a-z][a-z .,]{0,12}[a-z]", fullmatch=True))
        return f'"{inner}"@{draw(domains())}'
    if kind == "literal":
        ip = ".".join(str(draw(st.integers(0, 255))) for _ in range(4))
        return f"{local}@[{ip}]"
    if kind == "mailto":
        return f"mailto:{local}@{draw(domains())}"
    if kind == "percent":
        return f"mailto:{local}%40{draw(domains())}"
    return f"{local}＠{draw(domains())}"


# -- phone numbers ----------------------------------------------------------------------------


def digits(n: int) -> st.SearchStrategy[str]:
    return st.from_regex(rf"[0-9]{{{n}}}", fullmatch=True)


FULL_WIDTH = str.maketrans("0123456789-+()", "０１２３４５６７８９－＋（）")


@st.composite
def japanese_numbers(draw: st.DrawFn) -> str:
    """A Japanese number: landline (area code of 1 to 4 digits) or mobile, in any form."""
    if draw(st.booleans()):
        area_len = draw(st.integers(1, 4))
        area = draw(st.from_regex(rf"[1-9][0-9]{{{area_len - 1}}}", fullmatch=True))
        exchange = draw(digits(5 - area_len))
        subscriber = draw(digits(4))
    else:
        area = draw(st.sampled_from(["90", "80", "70", "50"]))
        exchange, subscriber = draw(digits(4)), draw(digits(4))
    form = draw(st.sampled_from(["hyphen", "space", "paren-area", "paren-exchange", "flat",
                                 "intl", "intl-flat", "intl-zero"]))  # fmt: skip
    number = {
        "hyphen": f"0{area}-{exchange}-{subscriber}",
        "space": f"0{area} {exchange} {subscriber}",
        "paren-area": f"(0{area}){exchange}-{subscriber}",
        "paren-exchange": f"0{area}({exchange}){subscriber}",
        "flat": f"0{area}{exchange}{subscriber}",
        "intl": f"+81-{area}-{exchange}-{subscriber}",
        "intl-flat": f"+81{area}{exchange}{subscriber}",
        "intl-zero": f"+81 (0){area} {exchange} {subscriber}",
    }[form]
    return number.translate(FULL_WIDTH) if draw(st.booleans()) else number


@st.composite
def north_american(draw: st.DrawFn) -> str:
    area = draw(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True))
    exchange = draw(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True))
    line = draw(digits(4))
    return draw(st.sampled_from([
        f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", f"{area}.{exchange}.{line}",
        f"+1 ({area}) {exchange}-{line}", f"+1 {area} {exchange} {line}",
        f"1-{area}-{exchange}-{line}",
        f"+1{area}{exchange}{line}",
    ]))  # fmt: skip


@st.composite
def british(draw: st.DrawFn) -> str:
    if draw(st.booleans()):  # London: 020 7946 0958
        local = f"{draw(digits(4))} {draw(digits(4))}"
        return draw(st.sampled_from([f"+44 20 {local}", f"020 {local}"]))
    mobile = f"7{draw(digits(3))} {draw(digits(6))}"  # 07700 900123
    return draw(st.sampled_from([f"+44 {mobile}", f"0{mobile}"]))


PHONES = st.one_of(japanese_numbers(), north_american(), british())


# -- ordinary figures -------------------------------------------------------------------------


@st.composite
def amounts(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 10**12))
    grouped = f"{n:,}"
    small = draw(st.integers(1, 999))
    return draw(st.sampled_from([
        grouped, f"¥{grouped}", f"${grouped}", f"{grouped}円", f"€{grouped}.50",
        f"${small}.{draw(st.integers(0, 9))}M", f"¥{small / 10:.1f}M", f"{small}億{grouped}万円",
        f"+{grouped}", f"−{grouped}", f"{n / 7:.4f}", f"{small}.{draw(st.integers(0, 99))}%",
        f"+{small / 10:.1f}%", f"{grouped} → {n + 1:,}", f"{n:,}".replace(",", "."),
    ]))  # fmt: skip


@st.composite
def dates(draw: st.DrawFn) -> str:
    d = draw(st.dates())
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    return draw(st.sampled_from([
        f"{d:%Y-%m-%d}", f"{d:%Y%m%d}", f"{d:%Y/%m/%d} {hour:02}:{minute:02}",
        f"{d:%Y-%m-%d}T{hour:02}:{minute:02}:00+09:00", f"{d:%Y.%m.%d}", f"{d:%d-%m-%Y}",
        f"{d.year}年{d.month}月{d.day}日", f"{d:%Y-%m-%d} {hour:02}:{minute:02}:00,123",
        f"{hour:02}:{minute:02}-{(hour + 1) % 24:02}:{minute:02}",
        f"{d.year}-W{d.isocalendar()[1]:02}",
        f"FY{d.year}-Q{1 + (d.month - 1) // 3}",
    ]))  # fmt: skip


@st.composite
def ids(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["prefixed", "sf15", "sf18", "uuid", "hash", "bare", "version"]))
    if kind == "prefixed":
        prefix = draw(st.sampled_from(["LEAD", "OPP", "MA", "ACT", "CMP", "L"]))
        return f"{prefix}-{draw(st.integers(0, 10**10)):0{draw(st.integers(6, 11))}}"
    if kind in ("sf15", "sf18"):
        rest = draw(st.from_regex(r"[A-Za-z0-9]{12}" if kind == "sf15" else r"[A-Za-z0-9]{15}",
                                  fullmatch=True))  # fmt: skip
        return draw(st.sampled_from(["00Q", "006", "001", "003", "701"])) + rest
    if kind == "uuid":
        return str(draw(st.uuids()))
    if kind == "hash":
        return draw(st.from_regex(r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}", fullmatch=True))
    if kind == "bare":  # up to 11 digits, not starting with 0 (with 0: a Japanese number)
        return str(draw(st.integers(1, 99_999_999_999)))
    return f"v{draw(st.integers(0, 99))}.{draw(st.integers(0, 99))}.{draw(st.integers(0, 99))}"


FIGURES = st.one_of(amounts(), dates(), ids())


# -- the properties ---------------------------------------------------------------------------


def assert_caught(before: str, value: str, after: str, text: str) -> None:
    redacted = redact_text(text)
    assert value not in redacted, (text, redacted)
    assert PLACEHOLDER in redacted, (text, redacted)
    assert redacted == redact_text(redacted), (text, redacted)  # nothing more to find


@EXAMPLES
@given(embedded(addresses()))
def test_every_generated_address_is_caught(case):
    before, value, after, text = case
    assert_caught(*case)
    if value.isascii() and not value.startswith(("mailto:", '"')):
        # an ASCII address between Japanese or English text: only the address goes
        assert redact_text(text) == before + PLACEHOLDER + after, text


@EXAMPLES
@given(embedded(PHONES))
def test_every_generated_phone_number_is_caught(case):
    before, _, after, text = case
    assert_caught(*case)
    assert redact_text(text) == before + PLACEHOLDER + after, text  # nothing around it goes


@EXAMPLES
@given(embedded(FIGURES))
def test_no_generated_figure_is_changed(case):
    text = case[3]
    assert redact_text(text) == text


@EXAMPLES
@given(
    st.lists(st.one_of(FIGURES, JAPANESE, WORDS), min_size=1, max_size=8),
    st.sampled_from([", ", " / ", "、", " | ", "\n", "; "]),
)
def test_a_text_of_figures_only_is_unchanged(parts, sep):
    # (figures apart by single spaces may read as a number's groups: 03 1234 5678)
    text = sep.join(parts)
    assert redact_text(text) == text


@EXAMPLES
@given(st.one_of(addresses(), PHONES), st.one_of(FIGURES, JAPANESE))
def test_in_json_the_value_goes_and_the_rest_stays(value, other):
    # a chart's specification as a page holds it: the value in a label, next to a figure
    spec = json.dumps({"label": f"{value}", "note": other, "n": 12}, ensure_ascii=False)
    redacted = redact_text(spec)
    data = json.loads(redacted)  # still JSON: no escape was cut
    assert data["note"] == other and data["n"] == 12
    assert PLACEHOLDER in data["label"] and value not in redacted


# -- what an error message quotes of a column -------------------------------------------------


def test_a_message_quotes_a_few_redacted_values_and_counts_the_rest():
    values = ["kanto", "kansai", "john@example.com", "ユーザー@例え.jp", "03-1234-5678",
              "tohoku", "kyushu", *(f"team {i}" for i in range(312))]  # fmt: skip
    shown = quote_examples(values)
    assert shown == "'kanto', 'kansai', '[redacted]', 'tohoku', 'kyushu' and 312 more"
    assert quote_examples(["a", "b"]) == "'a', 'b'"
    assert quote_examples([]) == "none"
    assert quote_examples(range(3), limit=2) == "'0', '1' and 1 more"


@EXAMPLES
@given(st.lists(st.one_of(addresses(), PHONES), min_size=1, max_size=30))
def test_a_message_never_quotes_contact_data(values):
    shown = quote_examples(values)
    assert not any(value in shown for value in values)
    assert shown.count("'") <= 2 * 5


def test_the_batch_summary_shows_the_placeholder_and_values_as_text(tmp_path):
    from rich.console import Console

    from reviewkit.pack.batch import BatchReport, Outcome
    from reviewkit.pack.batch_view import summary_table

    error = "no lead has region='AZ [redacted]' nor '[bold]x[/bold]'"
    outcome = Outcome("weekly/region-redacted-0a1b2c3d4e/en", "failed", error=error)
    report = BatchReport([outcome], log=tmp_path / "batch.log", seconds=1.0, as_of="auto", jobs=1)
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(summary_table(report))
    shown = console.export_text()
    assert "'AZ [redacted]'" in shown and "'[bold]x[/bold]'" in shown, shown
