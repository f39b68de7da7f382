"""Texts naming a company's days off (merged into ``TEXTS``).

Keys ``calendar.*``: :func:`reviewkit.i18n.calendar_words.days_off_words`, used by the notes
that explain seasonal weights (weekly pacing, anomaly detection).
"""

CALENDAR_TEXTS: dict[str, dict[str, str]] = {
    "calendar.public_holidays": {"ja": "{country}の祝日", "en": "public holidays ({country})"},
    "calendar.country_subdivision": {"ja": "{country}（{sub}）", "en": "{country}, {sub}"},
    "calendar.separator": {"ja": "・", "en": ", "},
    "calendar.break.obon": {"ja": "お盆", "en": "Obon"},
    "calendar.break.year_end": {"ja": "年末年始", "en": "year-end break"},
    "calendar.break.carnival": {"ja": "カーニバル", "en": "Carnival"},
    "calendar.break.christmas": {
        "ja": "クリスマスから年始の休暇",
        "en": "Christmas to New Year break",
    },
    "calendar.break.own": {"ja": "自社の休業期間", "en": "company break"},
}
