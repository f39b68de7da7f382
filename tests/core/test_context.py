"""The pack context: what the runner tells a kernel, and the files a pack publishes through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewkit.core.context import CONTEXT_ENV, FILES_RECORD, PackContext, in_pack
from reviewkit.errors import ParameterError


def test_outside_a_pack_there_is_no_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONTEXT_ENV, raising=False)
    assert PackContext.current() is None
    assert not in_pack()


def test_the_kernel_reads_the_context_the_runner_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = PackContext(tmp_path, lang="en", label="monthly 2026-10 (en)")
    monkeypatch.setenv(CONTEXT_ENV, str(written.write()))
    assert in_pack()
    assert PackContext.current() == written


def test_published_files_are_recorded_once_each_and_only_while_present(tmp_path: Path) -> None:
    context = PackContext(tmp_path)
    path = context.publish("proposals.json", "[]")
    assert path == tmp_path / "proposals.json" and path.read_text(encoding="utf-8") == "[]"
    context.publish("proposals.json", "[1]")  # written again: still one file
    (tmp_path / "stray.txt").write_text("not published", encoding="utf-8")
    (tmp_path / "draft.yml").write_text("a: 1\n", encoding="utf-8")
    context.register("draft.yml")
    assert context.published() == ["draft.yml", "proposals.json"]
    (tmp_path / "draft.yml").unlink()  # e.g. withheld by redaction
    assert context.published() == ["proposals.json"]
    assert (tmp_path / FILES_RECORD).is_file()


@pytest.mark.parametrize("name", ["", "../escape.json", "sub/x.json", ".hidden", "pack.html"])
def test_a_pack_cannot_publish_outside_its_folder_or_over_its_own_files(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(ParameterError, match="not a file name a pack can publish"):
        PackContext(tmp_path).publish(name, "x")
    assert PackContext(tmp_path).published() == []
