"""Texts of the quarterly review's plan section (merged into ``TEXTS``)."""

PLAN_TEXTS: dict[str, dict[str, str]] = {
    "plan.title": {
        "ja": "来四半期の目標案（KGI 目標からの逆算）",
        "en": "Next quarter's targets, back-solved",
    },
    "plan.rates_title": {"ja": "目標案が前提とする転換率", "en": "The rates each variant assumes"},
    "plan.variant.conservative": {"ja": "保守案", "en": "Conservative"},
    "plan.variant.expected": {"ja": "標準案", "en": "Expected"},
    "plan.variant.optimistic": {"ja": "楽観案", "en": "Optimistic"},
    "plan.col.month": {"ja": "月", "en": "Month"},
    "plan.col.metric": {"ja": "指標", "en": "Metric"},
    "plan.col.target": {"ja": "現在の目標", "en": "Current target"},
    "plan.col.driver": {"ja": "要因", "en": "Driver"},
    "plan.col.implied": {"ja": "現在の目標の前提", "en": "Implied by current targets"},
    "plan.col.months": {"ja": "データのある月数", "en": "Months with data"},
    "plan.total": {"ja": "四半期合計", "en": "Quarter total"},
    "plan.with_diff": {"ja": "{value}（{diff}）", "en": "{value} ({diff})"},
    "plan.count_item": {"ja": "{stage} {count}", "en": "{stage} {count}"},
    "plan.table_note": {
        "ja": "KGI 目標の達成に必要な各月の段階別人数（1人未満は切り上げ）。"
        "標準案は直近{months}か月を通算した期間ベースの{drivers}、"
        "保守案・楽観案は各要因の月別値の25・75パーセンタイル（下から4分の1・4分の3の月）を"
        "用いています。どの案も掛け合わせると KGI 目標に一致します。",
        "en": "Stage counts needed each month to reach the KGI target, rounded up to whole "
        "people. Expected uses the pooled period-basis {drivers} of the last {months} "
        "months; conservative and optimistic use each driver's 25th and 75th percentile month. "
        "Every variant multiplies out to the KGI target.",
    },
    "plan.table_brackets": {
        "ja": "括弧内は params/targets.yml の現在の目標との差です。",
        "en": "In brackets: the difference from the current target in params/targets.yml.",
    },
    "plan.drivers.amount": {"ja": "転換率と受注単価", "en": "rates and deal size"},
    "plan.drivers.count": {"ja": "転換率", "en": "rates"},
    "plan.rates_note": {
        "ja": "期間ベース: その月に後の段階へ入った人数 ÷ 前の段階へ入った人数（同じ人の転換では"
        "ない）、受注単価 = KGI ÷ その月の{last}数。"
        "このためツリーを掛け合わせると KGI に一致します。"
        "標準案は直近{months}か月の通算（各月の分子の合計 ÷ 分母の合計）、保守案・楽観案は25・75"
        "パーセンタイルの月の値（データのある月が{min_months}か月以上の場合）。",
        "en": "Period basis: a month's entries into the later stage over its entries into the "
        "earlier stage (not the same people), and deal size = the KGI / the month's {last} "
        "count, so the tree multiplies out to the KGI "
        "exactly. Expected: pooled over the last "
        "{months} months (the months' numerators summed over their denominators summed); "
        "conservative / optimistic: the 25th / 75th percentile month (with at least "
        "{min_months} months of data).",
    },
    "plan.rates_note_count": {
        "ja": "期間ベース: その月に後の段階へ入った人数 ÷ 前の段階へ入った人数（同じ人の転換では"
        "ない）。このためツリーを掛け合わせると KGI に一致します。"
        "標準案は直近{months}か月の通算（各月の分子の合計 ÷ 分母の合計）、保守案・楽観案は25・75"
        "パーセンタイルの月の値（データのある月が{min_months}か月以上の場合）。",
        "en": "Period basis: a month's entries into the later stage over its entries into the "
        "earlier stage (not the same people), so the tree multiplies out to the KGI "
        "exactly. Expected: pooled over the last "
        "{months} months (the months' numerators summed over their denominators summed); "
        "conservative / optimistic: the 25th / 75th percentile month (with at least "
        "{min_months} months of data).",
    },
    "plan.rates_implied": {
        "ja": "「現在の目標の前提」は四半期の目標で後の段階 ÷ 前の段階を計算した値です。",
        "en": "Implied by current targets: the quarter's target of the later stage over that of "
        "the earlier one.",
    },
    "plan.rates_pooled_only": {
        "ja": "* {drivers}はデータのある月が{min_months}か月未満のため、3案とも通算値を使用。",
        "en": "* {drivers}: fewer than {min_months} months with data, so all three variants use "
        "the pooled value.",
    },
    "plan.sentence": {
        "ja": "{period}に{kgi} {total}を達成するには、直近の転換率（{variant}）で{needs}が"
        "必要です。",
        "en": "To reach {kgi} of {total} in {period} at recent rates ({variant_lower} variant), "
        "the funnel needs {needs}.",
    },
    "plan.sentence_current": {
        "ja": "{period}に{kgi} {total}を達成するには、直近の転換率（{variant}）で{needs}が必要です"
        "（現在の目標: {current}）。",
        "en": "To reach {kgi} of {total} in {period} at recent rates ({variant_lower} variant), "
        "the funnel needs {needs} (current targets: {current}).",
    },
    "plan.no_target": {
        "ja": "params/targets.yml に{period}の{kgi}の目標がありません（目標のない月: {months}）。"
        "その月の目標を追加するか、四半期の合計を -p next_kgi_target=<合計> で指定してください"
        "（JupyterLab ではパラメータ next_kgi_target）。",
        "en": "No {kgi} target for {period} in params/targets.yml (months without one: "
        "{months}): add them, or give the quarter's total with -p next_kgi_target=<total> "
        "(in JupyterLab, the next_kgi_target parameter).",
    },
    "plan.source.targets_file": {
        "ja": "KGI 目標: {period}の{kgi} {total}（params/targets.yml の月別目標）。",
        "en": "KGI target: {kgi} of {total} in {period}, from the monthly targets in "
        "params/targets.yml.",
    },
    "plan.source.parameter": {
        "ja": "KGI 目標: {period}の{kgi} {total}（パラメータ next_kgi_target。各月へは{split}）。",
        "en": "KGI target: {kgi} of {total} in {period}, from the parameter next_kgi_target, "
        "split over the months {split}.",
    },
    "plan.split.targets_file": {
        "ja": "params/targets.yml の月別目標の比率で配分",
        "en": "in proportion to the monthly targets in params/targets.yml",
    },
    "plan.split.last_year": {
        "ja": "前年同月の実績の比率で配分",
        "en": "in proportion to the same months' actuals a year earlier",
    },
    "plan.split.equal": {
        "ja": "均等に配分（月別目標も前年同月の実績もないため）",
        "en": "equally (there are neither monthly targets nor actuals a year earlier)",
    },
    "plan.split.none": {"ja": "配分なし", "en": "not split"},
    "plan.draft.title": {
        "ja": "{period}の目標案（KGI 目標から逆算、{variant}）。",
        "en": "Draft targets for {period}, back-solved from its KGI target ({variant} variant).",
    },
    "plan.draft.generated": {"ja": "作成元: {source}。", "en": "Generated by: {source}."},
    "plan.draft.rates": {
        "ja": "前提とした転換率と受注単価（期間ベース）:",
        "en": "Rates and deal size assumed (period basis):",
    },
    "plan.draft.rates_count": {
        "ja": "前提とした転換率（期間ベース）:",
        "en": "Rates assumed (period basis):",
    },
    "plan.draft.rounding": {
        "ja": "段階別の人数は1人未満を切り上げ、KGI は目標どおり（通貨の1単位未満は四捨五入）。",
        "en": "Stage counts are rounded up to whole people; the KGI is the target (rounded to a "
        "whole unit of the currency).",
    },
    "plan.draft.rounding_count": {
        "ja": "段階別の人数は1人未満を切り上げ、KGI（件数）は目標どおり。",
        "en": "Stage counts are rounded up to whole people; the KGI (a count) is the target.",
    },
    "plan.draft.approval": {
        "ja": "承認用の下書きです。承認した月を params/targets.yml にコピーし、レビューを経て"
        "コミットしてください。",
        "en": "A draft for approval: copy the months you approve into params/targets.yml in a "
        "reviewed commit.",
    },
    "plan.draft.never_read": {
        "ja": "このファイルを reviewkit が読み込むことはありません。",
        "en": "This file is never read by reviewkit.",
    },
}
