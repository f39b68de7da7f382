"""Every user-facing word of a pack, in Japanese and English."""

from __future__ import annotations

from reviewkit.errors import ParameterError
from reviewkit.i18n.texts_actions import ACTIONS_TEXTS
from reviewkit.i18n.texts_anomalies import ANOMALIES_TEXTS
from reviewkit.i18n.texts_batch import BATCH_TEXTS
from reviewkit.i18n.texts_calendar import CALENDAR_TEXTS
from reviewkit.i18n.texts_charts import CHARTS_TEXTS
from reviewkit.i18n.texts_checklist import CHECKLIST_TEXTS
from reviewkit.i18n.texts_cycle import CYCLE_TEXTS
from reviewkit.i18n.texts_decisions import DECISIONS_TEXTS
from reviewkit.i18n.texts_deliver import DELIVER_TEXTS
from reviewkit.i18n.texts_deliver_chat import DELIVER_CHAT_TEXTS
from reviewkit.i18n.texts_deliver_email import DELIVER_EMAIL_TEXTS
from reviewkit.i18n.texts_effects import EFFECTS_TEXTS
from reviewkit.i18n.texts_explore import EXPLORE_TEXTS
from reviewkit.i18n.texts_followup import FOLLOWUP_TEXTS
from reviewkit.i18n.texts_glossary import GLOSSARY_TEXTS
from reviewkit.i18n.texts_import import IMPORT_TEXTS
from reviewkit.i18n.texts_index import INDEX_PAGE_TEXTS, INDEX_TEXTS
from reviewkit.i18n.texts_missing import MISSING_TEXTS
from reviewkit.i18n.texts_monthly import MONTHLY_TEXTS
from reviewkit.i18n.texts_pace import PACE_TEXTS
from reviewkit.i18n.texts_pack import PACK_TEXTS
from reviewkit.i18n.texts_plan import PLAN_TEXTS
from reviewkit.i18n.texts_quality import QUALITY_TEXTS
from reviewkit.i18n.texts_quarterly import QUARTERLY_TEXTS
from reviewkit.i18n.texts_relevance import RELEVANCE_TEXTS
from reviewkit.i18n.texts_scorecard import SCORECARD_TEXTS
from reviewkit.i18n.texts_segments import SEGMENTS_TEXTS
from reviewkit.i18n.texts_summary import SUMMARY_TEXTS
from reviewkit.i18n.texts_sync import SYNC_TEXTS
from reviewkit.i18n.texts_templates import TEMPLATE_TEXTS
from reviewkit.i18n.texts_timing import TIMING_TEXTS
from reviewkit.i18n.texts_trends import TRENDS_TEXTS
from reviewkit.i18n.texts_weekly import WEEKLY_TEXTS
from reviewkit.i18n.texts_whatif import WHATIF_TEXTS

LANGS = ("ja", "en")

# The core catalogue, by topic, in the order its keys were first written.
TEXTS: dict[str, dict[str, str]] = {
    **PACK_TEXTS,
    **SCORECARD_TEXTS,
    **GLOSSARY_TEXTS,
    **CHARTS_TEXTS,
    **SEGMENTS_TEXTS,
    **CHECKLIST_TEXTS,
    **DECISIONS_TEXTS,
    **QUALITY_TEXTS,
    **FOLLOWUP_TEXTS,
    **PACE_TEXTS,
    **SUMMARY_TEXTS,
    **ANOMALIES_TEXTS,
    **INDEX_PAGE_TEXTS,
}
for _texts in (
    MONTHLY_TEXTS, ACTIONS_TEXTS, CYCLE_TEXTS, EFFECTS_TEXTS, QUARTERLY_TEXTS, TRENDS_TEXTS,
    RELEVANCE_TEXTS, WHATIF_TEXTS, PLAN_TEXTS, BATCH_TEXTS, INDEX_TEXTS, EXPLORE_TEXTS,
    TEMPLATE_TEXTS, CALENDAR_TEXTS, IMPORT_TEXTS, MISSING_TEXTS, WEEKLY_TEXTS, TIMING_TEXTS,
    SYNC_TEXTS, DELIVER_TEXTS, DELIVER_EMAIL_TEXTS, DELIVER_CHAT_TEXTS,
):  # fmt: skip
    TEXTS.update(_texts)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a pack language, else raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not a pack language; use ja or en")
    return lang


def t(key: str, lang: str, **values: object) -> str:
    """Return the text ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    entry = TEXTS.get(key)
    if entry is None:
        raise KeyError(key)
    text = entry[check_lang(lang)]
    return text.format(**values) if values else text
