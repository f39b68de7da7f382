"""Every catalogue entry speaks both languages (CONTRIBUTING.md: a text is added in ja and en)."""

from reviewkit.i18n.texts import TEXTS


def test_every_text_has_japanese_and_english():
    missing = {key: sorted(entry) for key, entry in TEXTS.items() if set(entry) != {"ja", "en"}}
    assert missing == {}
