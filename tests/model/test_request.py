"""One pack request, checked once: the same one-line errors for a run, a batch and a notebook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reviewkit.core.workspace import Workspace
from reviewkit.errors import ParameterError
from reviewkit.model.request import PackRequest, check_output_dir


def test_a_request_holds_checked_values(sample_workspace: Workspace) -> None:
    request = PackRequest.check(
        workspace=sample_workspace, cadence="monthly", as_of="2026-11-23", lang="en",
        segment="sales_team=Team B", parameters={"x": 1},
    )  # fmt: skip
    assert request.cadence == "monthly" and request.as_of == dt.date(2026, 11, 23)
    assert request.lang == "en" and request.name == "monthly"
    assert request.scope is not None and request.scope.text == "sales_team=Team B"
    assert request.parameters == {"x": 1} and request.output_dir is None
    default = PackRequest.check(workspace=sample_workspace, cadence="weekly", as_of="2026-11-23")
    assert default.lang == sample_workspace.config.lang and default.scope is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cadence": "yearly"}, "cadence: 'yearly' is not a review cadence; use one of weekly"),
        ({"lang": "fr"}, "lang: 'fr' is not a pack language; use ja or en"),
        ({"as_of": "2026-13-01"}, "2026-13-01"),
        ({"segment": "team"}, "--segment"),
        ({"segment": "region=a@example.com"}, "would be published in the pack's folder"),
    ],
)
def test_a_bad_value_is_one_line(sample_workspace: Workspace, options: dict, message: str) -> None:
    given = {"cadence": "monthly", "as_of": "2026-11-23", **options}
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")) as caught:
        PackRequest.check(workspace=sample_workspace, **given)
    assert "\n" not in str(caught.value)


def test_a_notebook_names_its_own_parameter_and_may_use_any_segment(
    sample_workspace: Workspace,
) -> None:
    with pytest.raises(ParameterError, match=r"^segment"):
        PackRequest.check(workspace=sample_workspace, cadence="monthly", segment="team",
                          option="segment")  # fmt: skip
    request = PackRequest.check(
        workspace=sample_workspace, cadence="monthly", segment="region=a@example.com",
        option="segment", published=False,
    )  # fmt: skip
    assert request.scope is not None


def test_the_constructor_refuses_an_unchecked_request(sample_workspace: Workspace) -> None:
    with pytest.raises(ParameterError, match="not a review cadence"):
        PackRequest(sample_workspace, "daily", dt.date(2026, 11, 23), "en")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="not a pack language"):
        PackRequest(sample_workspace, "weekly", dt.date(2026, 11, 23), "de")


def test_an_output_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"is under .* which is a file"):
        check_output_dir(tmp_path / "file" / "packs")
    assert check_output_dir(tmp_path / "new") == tmp_path / "new"
