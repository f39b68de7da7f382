"""Texts of maturing cohorts and timing: rates at the same age, a fall that is timing.

Merged into ``TEXTS`` (see :mod:`reviewkit.analysis.timing`).
"""

TIMING_TEXTS: dict[str, dict[str, str]] = {
    "col.equal_age": {"ja": "同じ経過日数での比較", "en": "At the same age"},
    "rate.equal_age_cell": {
        "ja": "{days}日: {before} → {now}（{change}）",
        "en": "{days} days: {before} → {now} ({change})",
    },
    "rates.note_equal": {
        "ja": "「集計途中」は前期間にも付きます。どちらかが集計途中の行は前期間差を未達と読まず、"
        "「同じ経過日数での比較」（両期間の人を、今期間の最も新しい人と同じ日数だけ見た転換率）"
        "で比べてください。",
        "en": "'Maturing' marks the previous period too. Where either side is maturing, do not "
        "read the change as a miss: compare 'At the same age' (both periods' people counted "
        "over the days this period's youngest have had).",
    },
    "timing.sentence": {
        "ja": "これは転換の悪化ではなくタイミングの問題です。期間ベースの{driver}は{reference}"
        "の{before}から{period}の{now}に下がりましたが、同じ経過日数（{days}日）で比べると"
        "{period}の{source}は{equal_now}、{reference}は{equal_before}です。{period}の{source}は"
        "まだ{target}に至る時間が経っていないだけです。",
        "en": "This is timing, not a worse conversion: on the period basis {driver} fell from "
        "{before} in {reference} to {now} in {period}, but at the same age ({days} days) "
        "{period}'s {source} cohort converted at {equal_now} against {equal_before} for "
        "{reference}'s. {period}'s {source} cohort has not had time to reach {target} yet.",
    },
    "timing.held": {
        "ja": "同じ経過日数（{days}日）で比べても低下は残ります（{reference} {equal_before}、"
        "{period} {equal_now}）。",
        "en": "At the same age ({days} days) the fall holds: {equal_before} in {reference}, "
        "{equal_now} in {period}.",
    },
    "timing.unclear": {
        "ja": "同じ経過日数（{days}日）ではまだタイミングか転換の悪化か判断できません"
        "（{reference} {equal_before}、{period} {equal_now}）。",
        "en": "At the same age ({days} days) it is too early to tell timing from a worse "
        "conversion: {equal_before} in {reference}, {equal_now} in {period}.",
    },
    "trends.col.qoq_equal": {"ja": "前四半期比（{days}日時点）", "en": "QoQ at {days} days"},
    "trends.col.yoy_equal": {"ja": "前年同期比（{days}日時点）", "en": "YoY at {days} days"},
    "trends.equal_age_note": {
        "ja": "「{days}日時点」の列は、3つの四半期の人をそれぞれ段階に入ってから{days}日以内"
        "（今四半期の最も新しい人が経過した日数）で数えた転換率の差です。集計途中の四半期を含む"
        "比較はこちらで判断してください。",
        "en": "'At {days} days': each quarter's people counted as converted within {days} days "
        "of entering (as long as this quarter's youngest have had). Read these while a quarter "
        "is still maturing.",
    },
    "timing.bar": {"ja": "{driver}（タイミング）", "en": "{driver} (timing)"},
    "chart.waterfall.timing": {
        "ja": "灰色の要因は、同じ経過日数で比べると下がっていないタイミングの差です。",
        "en": "A grey driver fell only by timing: at the same age it did not fall.",
    },
}
