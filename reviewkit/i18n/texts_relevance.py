"""Texts of the quarterly review's relevance section (merged into ``TEXTS``)."""

RELEVANCE_TEXTS: dict[str, dict[str, str]] = {
    "relevance.title": {
        "ja": "先行KPIは今も{kgi}を予測しているか",
        "en": "Do the leading KPIs still predict {kgi}?",
    },
    "relevance.volume": {"ja": "{stage}数", "en": "{stage} volume"},
    "relevance.join": {"ja": "、", "en": ", "},
    "relevance.or": {"ja": "や", "en": " or "},
    "relevance.span": {"ja": "{first}〜{last}", "en": "{first} to {last}"},
    "relevance.points": {"ja": "{value}pt", "en": "{value} pts"},
    "relevance.lag0": {"ja": "同月", "en": "same month"},
    "relevance.lag": {"ja": "{n}か月先行", "en": "{n} mo ahead"},
    "relevance.col.kpi": {"ja": "先行KPI", "en": "Leading KPI"},
    "relevance.col.correlation": {
        "ja": "{against}との相関（先行期間）",
        "en": "Correlation with {against} (lead time)",
    },
    "relevance.col.elasticity": {"ja": "弾力性（90%区間）", "en": "Elasticity (90% interval)"},
    "relevance.col.verdict": {"ja": "判定", "en": "Verdict"},
    "relevance.col.moved": {"ja": "直近の前年同期比", "en": "Latest change on a year earlier"},
    "relevance.correlation_cell": {"ja": "{r}（{lag}）", "en": "{r} ({lag})"},
    "relevance.correlation_missing": {"ja": "—（{reason}）", "en": "— ({reason})"},
    "relevance.elasticity": {
        "ja": "{kpi} +1% → {against} {value}（{low}〜{high}）",
        "en": "+1% {kpi} → {value} {against} ({low} to {high})",
    },
    "relevance.verdict.predicts": {"ja": "✓ 予測している", "en": "✓ Predicts"},
    "relevance.verdict.weak": {"ja": "△ 弱い", "en": "△ Weak"},
    "relevance.verdict.none": {"ja": "✕ 予測していない", "en": "✕ Does not predict"},
    "relevance.verdict.detail": {"ja": "{verdict}（{detail}）", "en": "{verdict} ({detail})"},
    "relevance.reason.significant": {"ja": "有意", "en": "significant"},
    "relevance.reason.not_significant": {
        "ja": "正の相関だが有意でない",
        "en": "positive but not significant",
    },
    "relevance.reason.not_positive": {"ja": "正の相関なし", "en": "no positive correlation"},
    "relevance.reason.too_few_points": {
        "ja": "月数不足: {n}か月／必要{min}か月",
        "en": "too few months: {n} of the {min} needed",
    },
    "relevance.reason.no_variation": {"ja": "値が変動していない", "en": "the values do not vary"},
    "relevance.moved.alone": {
        "ja": "単独で変動: {kpi} {change}、{against} {kgi_change}",
        "en": "Moved alone: {kpi} {change}, {against} {kgi_change}",
    },
    "relevance.moved.followed": {
        "ja": "連動: {kpi} {change}、{against} {kgi_change}",
        "en": "Followed: {kpi} {change}, {against} {kgi_change}",
    },
    "relevance.moved.small": {
        "ja": "大きな変化なし（{change}）",
        "en": "No material change ({change})",
    },
    "relevance.note": {
        "ja": "{span}の{n}か月の月次データによる相関です。数十か月の相関は根拠の一つであり、"
        "因果の証明ではありません。",
        "en": "Correlations over the {n} months {span}, month by month. Correlation over a few "
        "dozen months is evidence, not proof.",
    },
    "relevance.note_filling": {
        "ja": "データ開始直後の{span}は、ファネルが埋まる途中（データ開始前に前の段階へ入った人の"
        "転換が含まれない）のため除外しています。",
        "en": "Left out, just after the data starts: {span}, while the funnel was still filling "
        "(people who entered earlier stages before the data starts are missing).",
    },
    "relevance.note_against": {
        "ja": "受注単価のばらつきで月次の{kgi}は振れが大きいため、{volume}（{kgi}の件数部分で、"
        "単価のばらつきの影響を受けない）との相関も並べ、どちらかで有意なら「予測している」と"
        "判定しています。",
        "en": "Monthly {kgi} swings with deal sizes, so each KPI is also correlated with "
        "{volume} (the KGI's volume, which deal-size noise does not blur); a KPI predicts if "
        "either correlation is significant.",
    },
    "relevance.note_excluded": {
        "ja": "{items}は KGI そのものの構成要素であり先行KPIではないため、対象外です。",
        "en": "{items} are parts of the KGI itself, not leading KPIs, and are left out.",
    },
    "relevance.note_moved": {
        "ja": "直近の前年同期比: KPI は最適な先行期間だけ前の3か月、{kgi}は{kgi_span}の3か月を、"
        "それぞれ1年前の同じ3か月と比べています（件数・金額は合計の増減率、転換率は平均の差）。",
        "en": "Latest change: the KPI over the three months its best lead time before, {kgi} "
        "over {kgi_span}, each against the same three months a year earlier (counts and amounts: "
        "change of the sum; rates: change of the mean, in points).",
    },
    "relevance.rule": {
        "ja": "判定方法: 各KPIの0〜{lags}か月前の値の対数と KGI の対数の相関（それぞれの直線的な"
        "トレンドを除いた後）を求め、最も高い先行期間を採用します。試した先行期間の数で補正"
        "（ボンフェローニ）した p 値が 5% 未満で正の相関なら「予測している」、正でも有意でなければ"
        "「弱い」、相関が正でないか月数が{min}か月に満たなければ「予測していない」。弾力性は同じ"
        "先行期間での回帰の傾き（KPI が1%動くと KGI が何%動くか）です。「単独で変動」は、KPI が"
        "前年同期比で10%以上（転換率は2pt以上）動いたのに、KGI の動きが弾力性（有意でなければ"
        "KPI ツリーどおりの1）から見込まれる動きの3分の1に満たないもの（逆向きを含む）です。",
        "en": "How the verdict is reached: for each KPI, the log of its value 0 to {lags} months "
        "earlier is correlated with the log of the KGI (each around its own linear trend), and "
        "the lead time with the highest correlation is kept. It predicts when that correlation "
        "is positive with p below 5% after a Bonferroni correction for the lead times tried; it "
        "is weak when positive but not significant; it does not predict when the correlation "
        "is not positive or there are fewer than {min} months. The elasticity is the regression "
        "slope at that lead time (the KGI's % change per 1% of the KPI). A KPI moved alone when "
        "it changed by 10% or more on a year earlier (rates: 2 points or more) while the KGI "
        "moved less than a third of what the elasticity implies (1, as in the KPI tree, when "
        "not significant), or the other way.",
    },
    "relevance.chart.title": {
        "ja": "先行期間別の相関（KPI × 先行月数）",
        "en": "Correlation by lead time (KPI × months ahead)",
    },
    "relevance.chart.description": {
        "ja": "{span}の月次データで、各先行KPIの値と何か月後の KGI が連動したかを相関係数で示す"
        "ヒートマップ。青は正、赤は負の相関。枠で囲んだセルが採用した先行期間。",
        "en": "Heat map of how each leading KPI tracked the KGI some months later, as "
        "correlations over the months {span}. Blue is positive, red negative; the outlined "
        "cell is the lead time kept.",
    },
    "relevance.chart.legend": {"ja": "相関係数", "en": "Correlation"},
    "relevance.chart.row": {"ja": "{kpi} → {against}", "en": "{kpi} → {against}"},
    "relevance.chart.tooltip": {
        "ja": "{lag}: 相関 {r}（{n}組）",
        "en": "{lag}: correlation {r} ({n} pairs)",
    },
    "relevance.sentence.item": {
        "ja": "{kpi}（{lag}、{against}との相関 {r}）",
        "en": "{kpi} ({lag}, correlation {r} with {against})",
    },
    "relevance.sentence.predicts": {
        "ja": "過去{n}か月で KGI を予測している先行KPI: {items}。",
        "en": "Over the last {n} months, these leading KPIs predicted the KGI: {items}.",
    },
    "relevance.sentence.none": {
        "ja": "過去{n}か月では、{names}を有意に予測した先行KPIはありません"
        "（最も相関が高いのは{kpi}: {lag}、{against}との相関 {r}）。",
        "en": "Over the last {n} months no leading KPI significantly predicted {names} (the "
        "closest: {kpi}, {lag}, correlation {r} with {against}).",
    },
    "relevance.sentence.short": {
        "ja": "データは{n}か月分（{span}）で、どの先行KPIが{kgi}を予測しているかの判定には"
        "{min}か月以上が必要です（あと{more}か月）。それまでは各KPIの推移と目標で判断してください。",
        "en": "{n} months of history ({span}): judging which leading KPIs predict {kgi} needs "
        "at least {min} months ({more} more). Until then, read the KPIs' trends and targets.",
    },
    "relevance.sentence.no_kpis": {
        "ja": "{kgi}の先行KPIになる段階や転換率にデータがないため、予測力は判定できません。",
        "en": "No leading KPI of {kgi} (an earlier stage or rate) has data, so none can be judged.",
    },
    "relevance.note_no_data": {
        "ja": "{items}はデータがないため対象外です。",
        "en": "{items}: no data, so left out.",
    },
    "relevance.sentence.too_few": {
        "ja": "{n}か月分のデータでは、先行KPIと KGI の関係を判定するには月数が足りません。",
        "en": "{n} months of data are too few to judge how the leading KPIs relate to the KGI.",
    },
    "relevance.sentence.moved": {
        "ja": "{kpi}は{kpi_span}に前年同期比{change}と動きましたが、{kgi}は{kgi_span}に"
        "{kgi_change}で、見込まれる動きに追随していません。",
        "en": "{kpi} moved {change} on a year earlier ({kpi_span}), but {kgi} moved "
        "{kgi_change} ({kgi_span}), well short of what that implies.",
    },
    "relevance.sentence.moved_opposite": {
        "ja": "{kpi}は{kpi_span}に前年同期比{change}と動きましたが、{kgi}は{kgi_span}に"
        "{kgi_change}と逆の方向に動いています。",
        "en": "{kpi} moved {change} on a year earlier ({kpi_span}), yet {kgi} moved the other "
        "way, {kgi_change} ({kgi_span}).",
    },
    "relevance.why.predicts": {"ja": "{against}を予測している", "en": "predicts {against}"},
    "relevance.why.elastic": {
        "ja": "{against}との弾力性が大きい（+1% → {value}）",
        "en": "moves {against} strongly (+1% → {value})",
    },
    "relevance.underweighted.no_target": {
        "ja": "{kpi}は{why}指標ですが、次期の目標が設定されていません（直近実績 {actual}）。",
        "en": "{kpi} {why} but has no target for the next period (trailing actual {actual}).",
    },
    "relevance.underweighted.target_flat": {
        "ja": "{kpi}は{why}指標ですが、次期の目標 {target} は直近実績 {actual} からの改善を"
        "求めていません。",
        "en": "{kpi} {why}, but its next-period target of {target} asks for no improvement on "
        "the trailing actual of {actual}.",
    },
}
