"""Dimension labels: the catalogue's words for a lead column, the definitions' for one they add.

No label lives in a module-level table: two definitions that name the same added dimension
differently, used alternately in one process, each get their own words.
"""

from __future__ import annotations

import pytest
from builders import tiered

from reviewkit.i18n.texts import t
from reviewkit.model.labels import dimension_label, finding_label, segment_label, segment_words
from reviewkit.model.scope import Scope

GOLD = {"ja": "ゴールド区分", "en": "Gold band"}


def gold():
    """The same added dimension as :func:`builders.tiered`, under another label."""
    return tiered(label=GOLD)


def test_each_definitions_name_the_dimension_they_add_with_their_own_label():
    tier, band = tiered(), gold()
    for _ in range(2):  # alternately: a label written into a global would leak into the other
        for definitions, words in ((tier, {"ja": "顧客ティア", "en": "Account tier"}),
                                   (band, GOLD)):  # fmt: skip
            for lang in ("ja", "en"):
                got = dimension_label("account_tier", lang=lang, definitions=definitions)
                assert got == words[lang]


def test_segments_scopes_and_findings_name_the_added_dimension_from_their_definitions():
    tier, band = tiered(), gold()
    scope = Scope(column="account_tier", values=("enterprise",))
    assert scope.label("en", definitions=tier) == "Account tier: enterprise"
    assert scope.label("en", definitions=band) == "Gold band: enterprise"
    assert scope.label("ja", definitions=tier) == "顧客ティア: enterprise"
    row = {"dims": ["account_tier", "channel"], "values": ["smb", None]}
    assert finding_label(row, lang="en", definitions=band) == "Gold band: smb × channel: (unknown)"
    assert (
        segment_label(["account_tier"], ["smb"], lang="ja", definitions=tier) == "顧客ティア: smb"
    )
    words = segment_words({"account_tier": ["smb", "enterprise"]}, lang="en", definitions=band)
    assert words == "Gold band: smb / enterprise"


def test_a_lead_column_keeps_the_catalogue_words_whatever_the_definitions():
    for definitions in (None, tiered(), gold()):
        assert dimension_label("channel", lang="ja", definitions=definitions) == "チャネル"
        assert dimension_label("sales_team", lang="en", definitions=definitions) == "sales team"
    scope = Scope(column="sales_team", values=("Team B",))
    assert scope.label("en") == scope.label("en", definitions=gold()) == "sales team: Team B"


def test_a_dimension_nobody_names_is_its_key_and_the_catalogue_knows_only_its_own_keys():
    assert dimension_label("account_tier", lang="en") == "account_tier"  # no definitions given
    assert dimension_label("no_such_column", lang="ja", definitions=tiered()) == "no_such_column"
    with pytest.raises(KeyError):
        t("dimension.account_tier", "en")  # added dimensions are not in the text catalogue
    with pytest.raises(ValueError, match="lang"):
        dimension_label("account_tier", lang="fr", definitions=tiered())
