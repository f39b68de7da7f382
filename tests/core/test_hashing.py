import hashlib

import pytest
from builders import REPO

from reviewkit.core.hashing import file_hash

SOURCE = REPO / "tests" / "fixtures" / "imports" / "hubspot_contacts.csv"


def test_file_hash_is_the_sha256_of_the_bytes_whatever_the_name(tmp_path):
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(SOURCE.read_bytes())
    expected = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert file_hash(SOURCE) == expected == file_hash(str(copy))
    assert len(expected) == 64


def test_a_missing_file_raises_unless_a_stand_in_is_given(tmp_path):
    with pytest.raises(FileNotFoundError):
        file_hash(tmp_path / "gone.yml")
    assert file_hash(tmp_path / "gone.yml", missing="missing") == "missing"
