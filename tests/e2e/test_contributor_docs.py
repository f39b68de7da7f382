"""The contributor's map stays complete: every old import path compat serves is in its table."""

import re

import pytest
from builders import REPO

from reviewkit.compat import MOVED

ARCHITECTURE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_old_import_path_is_in_the_table():
    # the text catalogues share one row: `reviewkit.texts`, `texts_<topic>`
    listed = set(re.findall(r"`(?:reviewkit\.)?(\w+)`", ARCHITECTURE)) | {
        key for key in MOVED if key.startswith("texts_") and "`texts_<topic>`" in ARCHITECTURE
    }
    assert sorted(set(MOVED) - listed) == []


@pytest.mark.parametrize("name", ["docs/architecture.md", "CONTRIBUTING.md"])
def test_the_contributor_docs_are_in_english_and_japanese(name):
    text = (REPO / name).read_text(encoding="utf-8")
    assert "\n## English\n" in text and "\n## 日本語\n" in text
    assert f"]({name})" in (REPO / "README.md").read_text(encoding="utf-8")
