"""Reading YAML configuration safely: every file reviewkit reads goes through ``read_yaml``."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from reviewkit.core import yaml_guard
from reviewkit.core.yaml_config import read_yaml
from reviewkit.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def _file(tmp_path: Path, data: str | bytes, name: str = "f.yml") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        read_yaml(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_every_yaml_file_reviewkit_ships_still_loads() -> None:
    roots = [REPO / "params", REPO / "docs", REPO / "reviewkit"]
    files = [p for root in roots for p in root.rglob("*.y*ml")]
    assert len(files) > 20
    for path in files:
        read_yaml(path)  # no error: anchors, merge keys and all


def test_no_module_reads_yaml_around_read_yaml() -> None:
    """Configuration is read by ``read_yaml`` only (bundled sample specs aside)."""
    allowed = {"yaml_config.py", "yaml_guard.py", "companies.py", "company.py"}
    for path in (REPO / "reviewkit").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"yaml\.(safe_load|load|compose|full_load|unsafe_load)\(", text):
            assert path.name in allowed, path


def test_an_alias_bomb_is_refused_in_milliseconds(tmp_path: Path) -> None:
    path = _file(tmp_path, LAUGHS)
    start = time.perf_counter()
    message = _refused(path)
    assert time.perf_counter() - start < 0.5
    assert re.search(r"as written to [\d,]{11,}, more than", message)  # counted, never built
    assert "alias bomb" in message and "100,000" in message


def test_aliases_within_the_limit_load(tmp_path: Path) -> None:
    text = "base: &b {window: 90d, rule: score >= 70}\nuses: [*b, *b, *b]\n"
    data, _ = read_yaml(_file(tmp_path, text))
    assert data["uses"] == [data["base"]] * 3


def test_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    text = "base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n"
    data, _ = read_yaml(_file(tmp_path, text))
    assert data["child"] == {"a": 1, "b": 3}


def test_an_alias_loop_is_refused(tmp_path: Path) -> None:
    assert "a loop" in _refused(_file(tmp_path, "a: &x [1, [2, *x]]\n"))


def test_deep_nesting_is_refused_before_libyaml_composes_it(tmp_path: Path) -> None:
    # 200,000 levels crash libyaml's composer (a segmentation fault): the events are counted
    message = _refused(_file(tmp_path, "a: " + "[" * 200_000 + "]" * 200_000 + "\n"))
    assert ":1: collections nested more than 64 levels" in message


def test_nesting_by_aliases_is_refused(tmp_path: Path) -> None:
    text = "l0: &l0 " + "[" * 40 + "1" + "]" * 40 + "\n"
    text += "".join(f"l{i}: &l{i} {'[' * 40}*l{i - 1}{']' * 40}\n" for i in range(1, 5))
    assert "aliases (*name) nest collections more than 64" in _refused(_file(tmp_path, text))


def test_nesting_within_the_limit_loads(tmp_path: Path) -> None:
    depth = yaml_guard.MAX_DEPTH - 1
    data, _ = read_yaml(_file(tmp_path, "a: " + "[" * depth + "]" * depth + "\n"))
    assert isinstance(data["a"], list)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 1\nb: 2\na: 3\n", ":3: a: 'a' is given twice (first on line 1)"),
        ("top:\n  k: 1\n  other: 2\n  k: 3\n", ":4: top.k: 'k' is given twice (first on line 2)"),
        ("list:\n  - {x: 1, x: 2}\n", ":2: list.0.x: 'x' is given twice (first on line 2)"),
        ("1: a\n'1': b\n", ":2: 1: '1' is given twice (first on line 1)"),
    ],
)
def test_a_key_given_twice_names_both_lines(tmp_path: Path, text: str, where: str) -> None:
    message = _refused(_file(tmp_path, text))
    assert where in message and message.endswith("keep one")


def test_shift_jis_is_named_with_the_fix(tmp_path: Path) -> None:
    path = _file(tmp_path, "company:\n  ja: 株式会社サンプル\n".encode("cp932"))
    message = _refused(path)
    assert f"{path}:2: the file looks like Shift_JIS (CP932), not UTF-8" in message
    assert "save it as UTF-8" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_mark_are_named(tmp_path: Path, encoding: str) -> None:
    data = "a: 1\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    name = "UTF-32" if "32" in encoding else "UTF-16"
    assert f"the file is {name} (byte-order mark)" in _refused(_file(tmp_path, data))


def test_utf16_without_a_mark_and_binary_files_are_refused(tmp_path: Path) -> None:
    assert "NUL bytes" in _refused(_file(tmp_path, "a: 1\n".encode("utf-16-le")))
    assert "binary" in _refused(_file(tmp_path, bytes(range(256)), "b.yml"))


def test_other_bytes_name_the_line_and_byte(tmp_path: Path) -> None:
    message = _refused(_file(tmp_path, b"a: 1\nb: \xff\xfe\xfd\n"))
    assert ":2: byte 0xff: not UTF-8 text; save it as UTF-8" in message


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    assert read_yaml(_file(tmp_path, "\ufeffa: 1\n"))[0] == {"a": 1}


def test_a_folder_a_missing_file_and_a_large_file(tmp_path: Path, monkeypatch) -> None:
    assert "is a folder" in _refused(tmp_path)
    assert "file not found" in _refused(tmp_path / "missing.yml")
    monkeypatch.setattr(yaml_guard, "MAX_BYTES", 100)
    message = _refused(_file(tmp_path, "a: " + "x" * 200 + "\n"))
    assert "204 bytes is too large" in message and "at most 100" in message


def test_syntax_errors_still_name_the_line(tmp_path: Path) -> None:
    assert ":2: not valid YAML" in _refused(_file(tmp_path, "a: 1\n b: [\n"))


def test_the_guard_does_not_change_what_is_read(tmp_path: Path) -> None:
    text = "a: 1\nb:\n  - x\n  - {y: 2026-04-01, z: [1, 2]}\nc: &c 'text'\nd: *c\n"
    assert read_yaml(_file(tmp_path, text))[0] == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("value", "why"), [("2026-02-30", "day is out of range"), ("0000-01-01", "year 0")]
)
def test_a_date_that_does_not_exist_names_its_line(tmp_path: Path, value: str, why: str) -> None:
    message = _refused(_file(tmp_path, f"a: 1\nbreaks:\n  - from: {value}\n"))
    assert f":3: '{value}' is a date that does not exist ({why}" in message
    assert "YYYY-MM-DD" in message
