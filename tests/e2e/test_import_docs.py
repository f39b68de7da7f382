"""docs/import.md documents every key of a profile, each with an example that is valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from reviewkit.ingest.profile import RECORD_COLUMNS, Lookup, Profile

DOC = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
SECTION = re.compile(r"^### `(\w+)`\n(.*?)(?=^#{2,3} )", re.DOTALL | re.MULTILINE)
YAML = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def sections() -> dict[str, str]:
    return {m.group(1): m.group(2) for m in SECTION.finditer(DOC + "\n## end")}


@pytest.mark.parametrize("key", list(Profile.model_fields))
def test_every_profile_key_has_a_section_with_an_example_of_itself(key):
    text = sections().get(key)
    assert text is not None, f"docs/import.md has no '### `{key}`' section"
    examples = [yaml.safe_load(block) for block in YAML.findall(text)]
    assert examples, f"the '{key}' section has no YAML example"
    assert any(isinstance(e, dict) and key in e for e in examples), key


def _valid_for_some_record(example: dict) -> bool:
    """Whether the example completes a valid profile of at least one record kind."""
    for record in RECORD_COLUMNS:
        data = {"name": "p", "source_system": "x", "record": record, "id": ["Id"]}
        if record == "activities":
            data["columns"] = {"lead_id": "L"}
        try:
            Profile.model_validate({**data, **example})
        except ValueError:
            continue
        return True
    return False


def test_the_examples_of_each_key_are_valid_values_of_it():
    for key, text in sections().items():
        for block in YAML.findall(text):
            example = yaml.safe_load(block)
            if key == "columns":  # lead_id is an opportunity's or a touch's, email a lead's
                example = {"columns": {k: v for k, v in example["columns"].items()
                                       if k != "lead_id"}}  # fmt: skip
            assert _valid_for_some_record(example), f"{key}: {example}"


def test_the_lookup_keys_and_every_store_column_are_documented():
    for key in Lookup.model_fields:
        assert f"`{key}`" in DOC
    for record, columns in RECORD_COLUMNS.items():
        assert f"| `{record}` |" in DOC
        for column in columns:
            assert f"`{column}`" in DOC, f"{record}.{column} is not in docs/import.md"


def test_the_whole_profiles_in_the_doc_load():
    whole = [
        yaml.safe_load(block)
        for block in YAML.findall(DOC)
        if re.search(r"^record:", block, re.MULTILINE) and "source_system:" in block
    ]
    assert len(whole) >= 3  # the won-deals file, campaign costs, touches
    records = [Profile.model_validate({"name": "p", **data}).record for data in whole]
    assert {"opportunities", "campaigns", "activities"} <= set(records)
    won = next(d for d in whole if d.get("defaults") == {"stage": "Won"})
    assert won["won"] == ["Won"] and "stage" not in won["columns"]
