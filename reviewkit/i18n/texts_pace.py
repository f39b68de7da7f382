"""Texts of the weekly pacing table and chart."""

PACE_TEXTS: dict[str, dict[str, str]] = {
    # weekly: pacing
    "pace.col.kpi": {"ja": "指標", "en": "KPI"},
    "pace.col.week": {"ja": "今週 実績／目標", "en": "This week: actual / target"},
    "pace.col.to_date": {
        "ja": "{period} 累計／期待値 · ペース",
        "en": "{period} to date / expected · pace",
    },
    "pace.col.projection": {
        "ja": "{period} 着地見込み（80%範囲）／目標",
        "en": "{period} projection (80% range) / target",
    },
    "pace.col.required": {"ja": "残り必要（週あたり）", "en": "Needed per week"},
    "pace.col.status": {"ja": "状況", "en": "Status"},
    "pace.status.met": {"ja": "✓ 順調", "en": "✓ On pace"},
    "pace.status.near": {"ja": "△ やや遅れ", "en": "△ Slightly behind"},
    "pace.status.missed": {"ja": "✕ 遅れ", "en": "✕ Behind"},
    "pace.status.no_target": {"ja": "― 目標なし", "en": "― No target"},
    "pace.status.early": {"ja": "… 判断は早い", "en": "… Too early to judge"},
    "pace.status.no_data": {"ja": "― データなし", "en": "― No data"},
    "pace.early": {"ja": "見込み未確定（{low}〜{high}）", "en": "Too early ({low}–{high})"},
    "pace.early_no_range": {"ja": "見込み未確定", "en": "Too early to project"},
    "pace.range": {"ja": "{point}（{low}〜{high}）", "en": "{point} ({low}–{high})"},
    "pace.done": {"ja": "達成済み", "en": "Reached"},
    "pace.times": {"ja": "（現ペースの{times}倍）", "en": " ({times}× current pace)"},
    "pace.closed_title": {"ja": "{period} の着地", "en": "How {period} closed"},
    "pace.note": {
        "ja": "{through}時点。期待値は各月の目標 ×（経過した日の重みの割合）。日の重み"
        "は自社の過去1年の実績"
        "（曜日・{days_off}・月末）から算出（暦日按分の期待値はツール"
        "チップ）。着地見込みは"
        "これまでのペースを残りの日の重みで延長したもの。範囲は過去の同じ時点の見込み誤差の10〜90%"
        "（履歴が足りない件数は偶然変動から算出）。経過が{min_share}未満、または"
        "範囲が目標の{max_width}"
        "より広いときは「見込み未確定」。残り必要は（目標−累計）÷残りの暦日×7。",
        "en": "As of {through}. Expected = each month's target × the share of its day weight "
        "elapsed; day weights come from the company's own past year (weekday, {days_off}, "
        "month end); the calendar-day expectation is in the tooltips. The "
        "projection continues the pace so far over the remaining days' weights; its range is the "
        "10th–90th percentile of past projection errors at the same point (counting noise when "
        "history is short). Below {min_share} elapsed, or with a range wider than {max_width} of "
        "the target, the pack says it is too early. Needed per week = (target − to date) ÷ "
        "remaining calendar days × 7.",
    },
    "pace.tooltip": {
        "ja": "{label}: 累計 {actual}／期待値 {expected}（暦日按分 {linear}）、見込み"
        " {projected}、目標 {target}",
        "en": "{label}: {actual} to date vs {expected} expected ({linear} by calendar days); "
        "projection {projected}; target {target}",
    },
    "chart.pace.title": {
        "ja": "目標ペース（目標に対する割合）",
        "en": "Pace to target (share of target)",
    },
    "chart.pace.description": {
        "ja": "指標ごとの横棒: 太い棒が累計、黒い縦線が今日までの期待値、破線が着地見"
        "込み、灰色の帯が見込みの範囲、100%の線が目標。",
        "en": "One bullet per KPI: the thick bar is the total to date, the black tick the "
        "expected to date, the dashed tick the projection, the grey band its range, the 100% "
        "rule the target.",
    },
    "chart.pace.expected": {"ja": "期待値", "en": "expected"},
    "chart.pace.projection": {"ja": "着地見込み", "en": "projection"},
    "chart.pace.target": {"ja": "目標", "en": "target"},
    "chart.trend.band": {"ja": "目標帯（90〜100%）", "en": "Target band (90–100%)"},
}
