"""The company's own days off: its country's holidays, its breaks, and what they weigh.

Part 1 checks the days off of Japan, Brazil, Germany and the United States against lists
written by hand from each government's calendar. Part 2 reads them from
``params/workspace.yml`` and checks the one-line errors. Part 3 checks seasonal weights and
proration for a Brazilian company by hand, and part 4 its weekly pacing on a tiny store, where
every business day has two leads, so every expected figure is a count of business days.

Calendar facts used below (2026): Easter is Sunday 5 April, so Brazil's Carnival is Monday
16 and Tuesday 17 February and Good Friday is 3 April; 1 May is a Friday, 1 August a Saturday,
1 November a Sunday. Brazil's national public holidays that fall on weekdays in October -
December 2026: Mon 12 Oct (Our Lady of Aparecida), Mon 2 Nov (All Souls' Day), Fri 20 Nov
(Black Awareness Day), Fri 25 Dec; Sun 15 Nov (Republic) is a Sunday.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from builders import REPO, event_definitions

from reviewkit.analysis.pacing import pace_frame
from reviewkit.core.holidays import COUNTRY_BREAKS, DayCalendar, parse_break
from reviewkit.core.periods import FiscalCalendar, last_complete_period
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.calendar_words import days_off_words
from reviewkit.ingest.identity import resolve_identities
from reviewkit.model.seasonality import HOLIDAY, day_class, seasonal_day_weights
from reviewkit.model.targets import COLUMNS, Targets
from reviewkit.present.sections.pace import pace_note
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.schema import replace_tables

D = dt.date
JP = FiscalCalendar()
BR = FiscalCalendar(1, days=DayCalendar("BR"))

# Japan's public holidays (national holidays and substitute holidays), from the Cabinet
# Office's lists for 2024-2027: the range of the sample company's data. jpholiday gave the
# same days before reviewkit moved to the holidays library.
JAPAN = {
    2024: "01-01 01-08 02-11 02-12 02-23 03-20 04-29 05-03 05-04 05-05 05-06 07-15 08-11 08-12 "
    "09-16 09-22 09-23 10-14 11-03 11-04 11-23",
    2025: "01-01 01-13 02-11 02-23 02-24 03-20 04-29 05-03 05-04 05-05 05-06 07-21 08-11 09-15 "
    "09-23 10-13 11-03 11-23 11-24",
    2026: "01-01 01-12 02-11 02-23 03-20 04-29 05-03 05-04 05-05 05-06 07-20 08-11 09-21 09-22 "
    "09-23 10-12 11-03 11-23",
    2027: "01-01 01-11 02-11 02-23 03-21 03-22 04-29 05-03 05-04 05-05 07-19 08-11 09-20 09-23 "
    "10-11 11-03 11-23",
}


def days_of(year: int) -> list[dt.date]:
    return [
        D(year, 1, 1) + dt.timedelta(days=k)
        for k in range((D(year + 1, 1, 1) - D(year, 1, 1)).days)
    ]


def hand_list(year: int) -> set[dt.date]:
    return {D(year, int(md[:2]), int(md[3:])) for md in JAPAN[year].split()}


# --- part 1: days off per country ----------------------------------------------------------


@pytest.mark.parametrize("year", sorted(JAPAN))
def test_japan_public_holidays_match_the_cabinet_office(year):
    days = DayCalendar("JP")
    assert set(days.public_holidays(year)) == hand_list(year)
    assert {d for d in days_of(year) if days.is_public_holiday(d)} == hand_list(year)


@pytest.mark.parametrize("year", [2024, 2026])
def test_japan_days_off_are_holidays_obon_and_the_year_end_exactly_as_before(year):
    def off(d: dt.date) -> bool:  # the rule seasonality had with jpholiday
        return (
            d in hand_list(year)
            or (d.month, d.day) >= (12, 29)
            or (d.month == 1 and d.day <= 3)
            or (d.month == 8 and 13 <= d.day <= 16)
        )

    assert [JP.days.is_break(d) for d in days_of(year)] == [off(d) for d in days_of(year)]
    # Golden Week is its public holidays: 30 April - 2 May 2026 are working days
    assert [day_class(D(2026, 5, d), calendar=JP) for d in (1, 4, 7)] == ["Fri", HOLIDAY, "Thu"]


def test_brazil_has_tiradentes_and_carnival_and_no_obon():
    days = BR.days
    assert days.is_public_holiday(D(2026, 4, 21))  # Tiradentes
    assert days.public_holidays(2026)[D(2026, 4, 21)] == "Tiradentes' Day"
    assert days.is_public_holiday(D(2026, 4, 3))  # Good Friday
    assert not days.is_public_holiday(D(2026, 2, 16))  # Carnival is no public holiday ...
    assert [days.is_break(D(2026, 2, d)) for d in (15, 16, 17, 18)] == [False, True, True, False]
    assert days.is_break(D(2027, 2, 8)) and days.is_break(D(2027, 2, 9))  # ... but a break
    assert not any(days.is_break(D(2026, 8, d)) for d in (13, 14, 15, 16))  # no Obon
    assert [day_class(D(2026, 8, d), calendar=BR) for d in (13, 14)] == ["Thu", "Fri"]
    assert not days.is_break(D(2026, 12, 23)) and not days.is_break(D(2027, 1, 2))
    assert all(days.is_break(D(2026, 12, d)) for d in range(24, 32)) and days.is_break(
        D(2027, 1, 1)
    )
    # São Paulo adds the Constitutionalist Revolution, 9 July
    assert DayCalendar("BR", "SP").is_public_holiday(D(2026, 7, 9))
    assert not days.is_public_holiday(D(2026, 7, 9))


def test_german_states_differ():
    bavaria, berlin = DayCalendar("DE", "BY"), DayCalendar("DE", "BE")
    assert bavaria.is_public_holiday(D(2026, 1, 6)) and not berlin.is_public_holiday(D(2026, 1, 6))
    assert berlin.is_public_holiday(D(2026, 3, 8)) and not bavaria.is_public_holiday(D(2026, 3, 8))
    assert bavaria.is_public_holiday(D(2026, 6, 4))  # Corpus Christi
    both = set(bavaria.public_holidays(2026)) & set(berlin.public_holidays(2026))
    assert D(2026, 10, 3) in both and D(2026, 12, 26) in both


def test_united_states_holidays_and_break():
    us = DayCalendar("US")
    assert us.is_public_holiday(D(2026, 11, 26))  # Thanksgiving, the fourth Thursday
    assert us.is_public_holiday(D(2026, 7, 3))  # 4 July is a Saturday: observed on Friday 3
    assert not us.is_public_holiday(D(2026, 8, 13)) and not us.is_break(D(2026, 8, 13))
    assert us.is_break(D(2026, 12, 28))


def test_country_breaks_table_is_small_and_japan_keeps_its_own():
    assert [(b.key, b.first, b.last) for b in COUNTRY_BREAKS["JP"]] == [
        ("obon", "08-13", "08-16"), ("year_end", "12-29", "01-03"),
    ]  # fmt: skip
    assert "KR" not in COUNTRY_BREAKS and "CN" not in COUNTRY_BREAKS
    korea = DayCalendar("KR")
    assert not korea.is_break(D(2026, 12, 28)) and not korea.is_break(D(2026, 8, 14))


def test_a_workspace_adds_its_own_breaks():
    shutdown = parse_break("08-10", "08-16", name="summer shutdown")
    winter = parse_break("12-28", "01-04")  # wraps the year end
    move = parse_break(D(2026, 5, 7), "2026-05-08", name="office move")
    days = DayCalendar("DE", "BY", (shutdown, winter, move))
    assert [days.is_break(D(2027, 8, d)) for d in (9, 10, 16, 17)] == [False, True, True, False]
    assert days.is_break(D(2027, 1, 4)) and not days.is_break(D(2027, 1, 5))
    assert days.is_break(D(2026, 5, 7)) and not days.is_break(D(2027, 5, 7))
    assert days_off_words(days, lang="en") == (
        "public holidays (Germany, BY), Christmas to New Year break, summer shutdown, "
        "company break, office move"
    )


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("8/10", "08-16", "each end is a month-day MM-DD"),
        ("02-30", "03-01", "each end is a month-day MM-DD"),
        ("08-10", "2026-08-16", "both ends must be month-days"),
        ("2026-05-08", "2026-05-07", "ends before it starts"),
    ],
)
def test_bad_breaks_say_what_to_write(first, last, message):
    with pytest.raises(ValueError, match=message):
        parse_break(first, last)


def test_days_off_words_name_the_country_in_both_languages():
    assert days_off_words(JP.days, lang="ja") == "日本の祝日・お盆・年末年始"
    assert days_off_words(JP.days, lang="en") == "public holidays (Japan), Obon, year-end break"
    br = DayCalendar("BR", "SP")
    assert (
        days_off_words(br, lang="ja")
        == "ブラジル（SP）の祝日・カーニバル・クリスマスから年始の休暇"
    )
    assert days_off_words(br, lang="en") == (
        "public holidays (Brazil, SP), Carnival, Christmas to New Year break"
    )


# --- part 2: params/workspace.yml ------------------------------------------------------------


def strip_calendar_keys(ws: Workspace) -> Workspace:
    """The workspace as written before the calendar keys existed."""
    path = ws.params_dir / "workspace.yml"
    keys = ("fiscal_year_label", "week_start", "country", "# subdivision", "breaks")
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith(keys) and not (line.startswith(" ") and line.lstrip()[:1] == "#")
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Workspace(ws.root)


def test_without_calendar_keys_a_workspace_is_a_japanese_company(tmp_path):
    ws = strip_calendar_keys(init_workspace(tmp_path / "old"))
    assert "country" not in (ws.params_dir / "workspace.yml").read_text(encoding="utf-8")
    assert ws.calendar == FiscalCalendar(4)
    assert ws.calendar.days == DayCalendar("JP")
    assert ws.calendar.week_start == "monday" and ws.calendar.fiscal_year_label == "start"


def test_the_calendar_keys_reach_the_calendar(tmp_path):
    path = init_workspace(tmp_path / "acme").params_dir / "workspace.yml"
    text = (
        path.read_text(encoding="utf-8")
        .replace("week_start: monday", "week_start: sunday")
        .replace("country: JP", "country: br")
        .replace("# subdivision: SP", "subdivision: SP")
        .replace("fiscal_year_label: start", "fiscal_year_label: end")
        .replace("breaks: []", "breaks: [{name: férias coletivas, from: 01-02, to: 01-10}]")
    )
    path.write_text(text, encoding="utf-8")
    ws = Workspace(path.parents[1])
    calendar = ws.calendar
    assert (calendar.week_start, calendar.fiscal_year_label) == ("sunday", "end")
    assert (calendar.days.country, calendar.days.subdivision) == ("BR", "SP")
    assert calendar.days.breaks == (parse_break("01-02", "01-10", name="férias coletivas"),)
    assert calendar.days.is_break(D(2027, 1, 8))
    ws.check_calendar()  # the holidays library knows BR and SP


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        (
            "country: Brazil\n",
            r"workspace\.yml: country: .*'Brazil' is not an ISO 3166-1 alpha-2 .*JP, US, BR",
        ),
        ("week_start: saturday\n", r"workspace\.yml: week_start: .*'monday' or 'sunday'.*saturday"),
        ("fiscal_year_label: middle\n", r"workspace\.yml: fiscal_year_label: .*'start' or 'end'"),
        ("breaks: [{from: 08-10}]\n", r"workspace\.yml: breaks\.0\.to: Field required"),
        ("breaks: [{from: 8/10, to: 08-16}]\n", r"workspace\.yml: breaks\.0: .*month-day MM-DD"),
    ],
)
def test_bad_calendar_keys_are_one_line_errors(tmp_path, extra, pattern):
    ws = strip_calendar_keys(init_workspace(tmp_path / "acme"))
    path = ws.params_dir / "workspace.yml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(ConfigError, match=pattern) as info:
        Workspace(ws.root)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        ("country: XX\n", r"workspace\.yml: country: 'XX' is not a country the holidays .*JP, US"),
        (
            "country: DE\nsubdivision: XY\n",
            r"workspace\.yml: subdivision: 'XY' is not a subdivision of DE .*BB, BE, BW, BY",
        ),
    ],
)
def test_a_country_or_subdivision_the_holidays_library_lacks_is_caught(tmp_path, extra, pattern):
    ws = strip_calendar_keys(init_workspace(tmp_path / "acme"))
    path = ws.params_dir / "workspace.yml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    ws = Workspace(ws.root)  # loading checks the shape only
    with pytest.raises(ConfigError, match=pattern) as info:
        ws.check_calendar()
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match=pattern):  # and so does the first day-off question
        day_class(D(2026, 1, 5), calendar=ws.calendar)


def test_loading_a_workspace_does_not_import_holidays():
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reviewkit.core.workspace import Workspace\n"
        "import reviewkit.analysis.pacing, reviewkit.model.seasonality\n"
        "import reviewkit.present.sections.weekly\n"
        f"ws = Workspace(Path({str(REPO)!r}))\n"
        "calendar = ws.calendar\n"
        "assert 'holidays' not in sys.modules, 'imported early'\n"
        "from reviewkit.model.seasonality import day_class\n"
        "import datetime as dt\n"
        "assert day_class(dt.date(2026, 8, 13), calendar=calendar) == 'holiday'\n"
        "assert 'holidays' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# --- part 3: seasonal weights of a Brazilian company ----------------------------------------


def history(first: dt.date, last: dt.date, calendar: FiscalCalendar) -> pd.Series:
    """Weekdays 10, Saturdays 4, Sundays 2, days off 1 (the company's own days off)."""
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    values = [
        1.0 if calendar.days.is_break(d) else {5: 4.0, 6: 2.0}.get(d.weekday(), 10.0) for d in days
    ]
    return pd.Series(values, index=days)


def test_brazilian_public_holiday_weighs_less_by_hand():
    # history 3-30 April 2026: Good Friday (3) and Tiradentes (Tue 21) are days off (1 each)
    past = history(D(2026, 4, 3), D(2026, 4, 30), BR)
    w = seasonal_day_weights(past, month_start=D(2026, 5, 1), calendar=BR, history_days=28)
    # May 2026: Worker's Day (Fri 1) 1; 20 other weekdays x 10; 5 Saturdays x 4; 5 Sundays x 2
    assert w.sum() == pytest.approx(1)
    assert w[D(2026, 5, 1)] == pytest.approx(1 / 231)
    assert w[D(2026, 5, 4)] == pytest.approx(10 / 231)
    assert w[D(2026, 5, 2)] == pytest.approx(4 / 231)
    targets = Targets(
        pd.DataFrame({"month": [D(2026, 5, 1)], "metric": ["lead"], "segment_key": [""],
                      "segment_value": [""], "value": [231.0]}, columns=COLUMNS),
        proration="seasonal",
    )  # fmt: skip
    # Fri 1 .. Thu 7: 1 (holiday) + 4 + 2 + 4 weekdays x 10 = 47 of 231
    assert targets.for_period("lead", D(2026, 5, 1), D(2026, 5, 8), day_weights=w) == (
        pytest.approx(47)
    )
    # a Japanese company's 1 May 2026 is an ordinary Friday
    assert day_class(D(2026, 5, 1), calendar=JP) == "Fri"


def test_brazilian_mid_august_is_ordinary_by_hand():
    past = history(D(2026, 7, 4), D(2026, 7, 31), BR)  # no day off in July in Brazil
    w = seasonal_day_weights(past, month_start=D(2026, 8, 1), calendar=BR, history_days=28)
    # August 2026: 21 weekdays x 10, 5 Saturdays x 4, 5 Sundays x 2 = 240, no holiday
    assert [w[D(2026, 8, d)] * 240 for d in (13, 14, 15, 16)] == pytest.approx([10, 10, 4, 2])
    # in Japan the same days are Obon: days off, weighed as the history's holidays (here
    # Marine Day, Mon 20 July, with 10 like a weekday, so each weighs the overall holiday mean)
    jp = seasonal_day_weights(past, month_start=D(2026, 8, 1), calendar=JP, history_days=28)
    assert [day_class(D(2026, 8, d), calendar=JP) for d in (13, 15)] == [HOLIDAY, HOLIDAY]
    assert jp[D(2026, 8, 15)] == pytest.approx(jp[D(2026, 8, 13)])  # a Saturday weighs 10 too


# --- part 4: weekly pacing of a Brazilian company on a tiny store ---------------------------

TZ = "America/Sao_Paulo"
FIRST, LAST = D(2025, 6, 1), D(2026, 11, 22)


def two_leads_per_business_day(con) -> Funnel:
    """Two leads at 10:00 local time on every business day (not weekend, not a day off)."""
    days = [FIRST + dt.timedelta(days=k) for k in range((LAST - FIRST).days + 1)]
    business = [d for d in days if d.weekday() < 5 and not BR.days.is_break(d)]
    when = [
        dt.datetime(d.year, d.month, d.day, 10, tzinfo=ZoneInfo(TZ)) for d in business for _ in "ab"
    ]
    ids = [f"L{k}" for k in range(len(when))]
    at = pd.Series(pd.to_datetime(when, utc=True))
    leads = pd.DataFrame({"lead_id": ids, "source_system": "test", "created_at": at, "email": None})
    events = pd.DataFrame(
        {"lead_id": ids, "stage": "lead", "entered_at": at, "source_system": "test"}
    )
    replace_tables(con, {"leads": leads, "stage_events": events}, source="tiny Brazilian company")
    resolve_identities(con)
    definitions = event_definitions(("lead", "won"), agreed_on="2026-01-01")
    cutoff = dt.datetime(2026, 11, 23, tzinfo=ZoneInfo(TZ))
    return Funnel(con, definitions, timezone=TZ, cutoff=cutoff)


def test_weekly_pacing_of_a_brazilian_company_by_hand(con):
    funnel = two_leads_per_business_day(con)
    week = last_complete_period("weekly", D(2026, 11, 23), calendar=BR)
    assert (week.label, week.start) == ("2026-W47", D(2026, 11, 16))
    targets = Targets(
        pd.DataFrame({"month": [D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)],
                      "metric": "lead", "segment_key": "", "segment_value": "",
                      "value": [42.0, 38.0, 34.0]}, columns=COLUMNS),
        proration="linear",
    )  # fmt: skip
    got = pace_frame(
        funnel, targets, week=week, through=LAST, calendar=BR, metrics=["lead"]
    ).set_index("scope")
    month, quarter = got.loc["month"], got.loc["quarter"]
    assert (month["period"], quarter["period"]) == ("2026-11", "FY2026-Q4")
    # November 2026 has 21 weekdays less All Souls' (Mon 2) and Black Awareness (Fri 20): 19
    # business days, 13 of them by Sunday 22. Every business day weighs the same (two leads),
    # every other day nothing, and month ends run at their weekday's normal (factor 1).
    assert month["actual"] == 26
    assert month["share"] == pytest.approx(13 / 19)
    assert month["expected"] == pytest.approx(38 * 13 / 19)
    assert month["linear_expected"] == pytest.approx(38 * 22 / 30)
    assert month["pace"] == pytest.approx(1.0)
    assert month["projected"] == pytest.approx(38)
    # Q4 (a calendar-year company): October 22 weekdays less Aparecida (Mon 12) = 21; December
    # 1-23 = 17 business days (24 December - 1 January is Brazil's year-end break)
    assert quarter["actual"] == 42 + 26
    assert quarter["share"] == pytest.approx((21 + 13) / (21 + 19 + 17))
    assert quarter["expected"] == pytest.approx(42 + 38 * 13 / 19)
    assert quarter["projected"] == pytest.approx(68 * 57 / 34)
    # with Japan's calendar the same data paces differently (2 and 20 Nov are Japanese
    # weekdays, 3 and 23 Nov Japanese holidays)
    japanese = dataclasses.replace(BR, days=JP.days)
    other = pace_frame(
        funnel, targets, week=week, through=LAST, calendar=japanese, metrics=["lead"]
    ).set_index("scope")
    assert other.loc["month", "share"] != pytest.approx(13 / 19)


def test_the_pace_note_names_the_company_s_days_off():
    frame = pd.DataFrame({"through": [D(2026, 11, 22)]})
    en = pace_note(frame, calendar=BR, lang="en").text
    ja = pace_note(frame, calendar=BR, lang="ja").text
    assert "public holidays (Brazil), Carnival, Christmas to New Year break" in en
    assert "Obon" not in en and "Japan" not in en
    assert "ブラジルの祝日・カーニバル" in ja and "お盆" not in ja
    assert "日本の祝日・お盆・年末年始" in pace_note(frame, calendar=JP, lang="ja").text


def test_a_country_the_calendar_does_not_know_fails_as_config():
    calendar = FiscalCalendar(days=DayCalendar("ZZ", source="here.yml"))
    with pytest.raises(ConfigError, match=r"here\.yml: country: 'ZZ'"):
        calendar.days.is_break(D(2026, 1, 1))
    with pytest.raises(ParameterError, match="week_start: 'tuesday'"):
        FiscalCalendar(week_start="tuesday")  # type: ignore[arg-type]
