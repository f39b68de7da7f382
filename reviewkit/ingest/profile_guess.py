"""Guesses behind ``reviewkit profile draft``: what a file's rows are and which column is what.

From the headers (in English, Japanese, German and Portuguese) and what
:mod:`reviewkit.ingest.profile_detect` found in the values: the record kind, the id column, the
store column each file column holds, and the date columns whose headers name a stage of the
definitions. Every guess is written into the draft with a comment for the user to check.
"""

from __future__ import annotations

import re

from reviewkit.ingest.profile import RECORD_COLUMNS
from reviewkit.ingest.profile_detect import ColumnInfo
from reviewkit.model.definitions import Definitions

__all__ = ["ROLES", "STAGE_WORDS", "assign_columns", "guess_record", "pick_id", "stage_columns"]

ROLES = {
    "created_at": r"creat|erstellt|cria[dçc]|作成|登録|entry date|angelegt|engage",
    "closed_at": r"clos|abschluss|fechad|fechamento|won (?:on|date)|受注日|成約日|クローズ",
    "stage": r"stage|phase|status|etapa|fase|ステージ|フェーズ|ステータス|段階",
    "lead_id": r"lead|contact|who|kontakt|contato|リード|顧客",
    "company_name": r"company|account|firma|unternehmen|empresa|会社|企業|取引先",
    "company_domain": r"domain|website|\burl\b|ドメイン",
    "channel": r"source|channel|medium|kanal|quelle|origem|fonte|canal|流入|チャネル|媒体",
    "campaign_id": r"campaign|program|kampagne|campanha|キャンペーン|施策",
    "content_asset": r"content|asset|form\b|landing|inhalt|conteudo|conteúdo|コンテンツ|資料",
    "industry": r"industry|sector|branche|setor|segmento|業種|業界",
    "company_size": r"employee|size|headcount|mitarbeiter|funcionarios|porte|従業員|規模",
    "region": r"region|country|state|prefecture|office|city|bundesland|estado|cidade|地域|都道府県",
    "persona": r"title|role|position|job|persona|funktion|cargo|役職|職種",
    "sales_team": r"owner|team|manager|agent|\brep\b|seller|vertrieb|verantwortlich|"
    r"responsavel|responsável|propriet|vendedor|equipe|担当|チーム|営業",
    "score": r"score|punkte|pontua|pontos|スコア",
    "currency": r"currency|wahrung|währung|moeda|通貨",
    "name": r"name|bezeichnung|nome|名称|名",
    "start_date": r"start|begin|from|\bvon\b|inicio|início|開始|month|monat|mes|月",
    "end_date": r"\bend|until|\bbis\b|\bfim\b|終了",
    "activity_type": r"type|\btyp\b|\bart\b|tipo|種別|種類|activity|aktivit|atividade|task|kind|"
    r"subject|活動",
    "occurred_at": r"date|time|when|datum|data|日時|日付|実施",
    "team": r"owner|team|agent|\brep\b|user|assigned|vertrieb|responsavel|equipe|担当|チーム",
    "is_human": r"human|manual|automat",
}
_RECORD_HINTS = {
    "campaigns": r"cost|spend|budget|kosten|custo|費用|コスト",
    # not "touch": a lead export's "first touch asset" is an attribute, not a touch
    "activities": r"activity|task|aktivit|atividade|tarefa|活動|アクティビティ|対応",
    "opportunities": r"stage|phase|opportunit|deal|verkaufschance|oportunidade|negocio|商談|案件",
}
_ID_HINTS = {
    "leads": r"lead|contact|record|person|kontakt|contato|リード|顧客",
    "opportunities": r"opportunit|deal|verkaufschance|oportunidade|negocio|商談|案件",
    "campaigns": r"campaign|kampagne|campanha|キャンペーン",
    "activities": r"activity|task|aktivit|atividade|活動",
}
STAGE_WORDS = {
    "lead": ["lead", "リード"],
    "mql": ["marketing qualified", "mql"],
    "sql": ["sales qualified", "sql"],
    "sal": ["sales accepted", "sal"],
    "opportunity": ["opportunit", "deal", "商談", "verkaufschance", "oportunidade"],
    "won": ["won", "customer", "gewonnen", "ganho", "受注", "成約", "kunde", "cliente"],
}


def guess_record(columns: list[ColumnInfo]) -> str:
    """What each row of a file is, from its columns.

    ``campaigns`` (a cost and amounts), ``activities`` (a lead column that repeats, and a type),
    ``opportunities`` (a stage or deal id, and amounts or a close date), else ``leads``.
    """
    words = " ".join(c.words for c in columns)
    amounts = any(c.kind == "amount" for c in columns)
    if re.search(_RECORD_HINTS["campaigns"], words) and amounts:
        return "campaigns"
    # a touch names its lead, which repeats: several touches of one lead
    repeated_lead = any(
        re.search(ROLES["lead_id"], c.words) and not c.unique and c.kind in ("text", "number")
        for c in columns
    )
    typed = any(re.search(r"\btype\b|\btyp\b|種別|種類|\bart\b|tipo", c.words) for c in columns)
    # a deal has a stage column (text), or an id named after deals; and an amount or close
    # date: checked before touches, as a deal report also has a "Type" and a "Lead Source"
    staged = any(c.kind == "text" and re.search(ROLES["stage"], c.words) for c in columns)
    deal_id = any(c.id_like and re.search(_ID_HINTS["opportunities"], c.words) for c in columns)
    closing = any(c.kind == "date" and re.search(ROLES["closed_at"], c.words) for c in columns)
    if (staged or deal_id) and amounts:
        return "opportunities"
    if re.search(_RECORD_HINTS["activities"], words) or (repeated_lead and typed):
        return "activities"
    if (staged or deal_id) and closing:
        return "opportunities"
    return "leads"


def pick_id(columns: list[ColumnInfo], record: str, rows: int) -> ColumnInfo | None:
    """The id column, or ``None``.

    Filled in most of the ``rows``, unique (a campaign's may repeat), not personal data; one
    whose header names an id of the record kind comes first.
    """
    usable = [
        c
        for c in columns
        if (c.unique or record == "campaigns")  # a campaign may have a cost line per month
        and c.filled * 10 >= rows * 8
        and not c.personal
        and c.kind in ("text", "number")
    ]
    if record == "activities":  # a touch's lead or type is not its id: only a named id
        usable = [c for c in usable if c.unique and c.id_like]
    ids = [c for c in usable if c.id_like]
    own = [c for c in ids if re.search(_ID_HINTS[record], c.words)]
    for group in (own, ids, usable):
        if group:
            return group[0]
    return None


def _fits(role: str, column: ColumnInfo) -> bool:
    if role in ("created_at", "closed_at", "start_date", "end_date", "occurred_at"):
        return column.kind == "date"
    if role in ("amount", "cost"):
        return column.kind == "amount"
    if role == "score":
        return column.kind == "number"
    return column.kind in ("text", "number") and not column.personal


def assign_columns(
    columns: list[ColumnInfo], record: str, id_column: ColumnInfo | None
) -> dict[str, ColumnInfo]:
    """Store column -> the file column that most likely holds it."""
    taken = {id_column.name} if id_column else set()
    chosen: dict[str, ColumnInfo] = {}
    for role in RECORD_COLUMNS[record]:
        pick: ColumnInfo | None
        if role in ("amount", "cost"):
            found = [c for c in columns if c.kind == "amount" and c.name not in taken]
            money = [
                c
                for c in found
                if re.search(
                    r"amount|value|betrag|valor|金額|cost|spend|kosten|custo|費用", c.words
                )
            ]
            pick = money[0] if money else found[0] if found else None
        elif role == "email":
            pick = next((c for c in columns if c.kind == "email"), None)
        else:
            pick = _best(columns, role, taken)
            if role == "lead_id" and pick is not None and not _names_a_lead(pick, record):
                pick = None  # a lead's name, source or company is not its id
        if pick is not None:
            chosen[role] = pick
            taken.add(pick.name)
    dates = [c for c in columns if c.kind == "date" and c.name not in taken]
    for role in ("created_at", "occurred_at", "start_date"):  # the first date, if none matched
        if role in RECORD_COLUMNS[record] and role not in chosen and dates:
            chosen[role] = dates.pop(0)
            taken.add(chosen[role].name)
    return chosen


def _best(columns: list[ColumnInfo], role: str, taken: set[str]) -> ColumnInfo | None:
    """The first free column that fits ``role``, by the order of the role's words.

    ``Task Subtype`` is an activity's type before ``Subject`` is: ``type`` comes first.
    """
    pattern = ROLES.get(role)
    if pattern is None:
        return None
    free = [c for c in columns if c.name not in taken and _fits(role, c)]
    for word in _alternatives(pattern):
        found = next((c for c in free if re.search(word, c.words)), None)
        if found is not None:
            return found
    return None


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (``a|b(?:c|d)`` -> a, b(?:c|d))."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(pattern):
        if char == "(" and pattern[i - 1 : i] != "\\":
            depth += 1
        elif char == ")" and pattern[i - 1 : i] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return [*parts, pattern[start:]]


def _names_a_lead(column: ColumnInfo, record: str) -> bool:
    """Whether a column holds leads' ids: an id header, or (for touches) just ``Lead``."""
    if column.id_like:
        return True
    bare = r"^(?:lead|contact|who|person|kontakt|contato|リード|顧客)$"
    return record == "activities" and bool(re.match(bare, column.words))


def stage_columns(
    columns: list[ColumnInfo], definitions: Definitions, assigned: dict[str, ColumnInfo]
) -> dict[str, ColumnInfo]:
    """Stage key -> the date column whose header names it (the longest match wins)."""
    best: dict[str, tuple[int, ColumnInfo]] = {}
    for column in (c for c in columns if c.kind == "date"):
        matches = []
        for stage in definitions.stages:
            words = {
                stage.key,
                stage.key.replace("_", " "),
                stage.label.en.casefold(),
                stage.label.ja.casefold(),
                *STAGE_WORDS.get(stage.key, []),
            }
            hits = [
                len(w) for w in words if w and re.search(rf"(?<![a-z]){re.escape(w)}", column.words)
            ]
            if hits:
                matches.append((max(hits), stage.key))
        if matches:
            length, key = max(matches)
            if key not in best or best[key][0] < length:
                best[key] = (length, column)
    out = {key: column for key, (_, column) in best.items()}
    first = definitions.stages[0].key
    creation = assigned.get("created_at")
    if first not in out and creation is not None and first in ("lead", "leads"):
        out[first] = creation  # the record's creation is its entry into the first stage
    return {k: out[k] for k in definitions.stage_keys if k in out}
