"""The weekly first screen: attention items name each problem once."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from reviewkit.anomalies import ALERT_COLUMNS
from reviewkit.definitions import load_definitions
from reviewkit.weekly import attention_items


def _alert(**values: object) -> dict[str, object]:
    row = dict.fromkeys(ALERT_COLUMNS)
    row.update(kind="rate", n=300.0, window=4, weeks_off=1, baseline="own", since_start=None)
    row.update(values)
    return row


def test_a_teams_backlog_joins_its_alert_and_stands_alone_otherwise(sample_workspace):
    definitions = load_definitions(sample_workspace)
    alerts = pd.DataFrame(
        [
            _alert(measure="sla", dimension="sales_team", segment="Team B", value=0.1,
                   normal=0.7, impact=-177.0, change=-0.6),
            _alert(measure="mql_to_sql", dimension="content_asset", segment="wp-genai-guide",
                   value=0.02, normal=0.3, impact=-128.0, change=-0.28),
        ]
    ).assign(explained_by=-1)  # fmt: skip
    by_team = pd.DataFrame({"sales_team": ["Team B"], "overdue_untouched": [71]})
    pulse = SimpleNamespace(by_team=by_team, total_overdue=71, stage_label=lambda lang: "MQL")
    items = attention_items(alerts, pulse, definitions=definitions, lang="en")  # type: ignore[arg-type]
    assert len(items) == 2  # Team B is named once, with its backlog
    assert "Team B" in items[0] and "71 people of the team who became MQL" in items[0]
    other = pd.DataFrame({"sales_team": ["Team C"], "overdue_untouched": [12]})
    items = attention_items(
        alerts.iloc[1:],
        SimpleNamespace(by_team=other, total_overdue=12, stage_label=lambda lang: "MQL"),  # type: ignore[arg-type]
        definitions=definitions, lang="ja",
    )  # fmt: skip
    assert len(items) == 2 and "Team C" in items[1] and "12" in items[1]
