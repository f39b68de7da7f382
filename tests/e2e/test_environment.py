"""environment.yml (conda-forge) and pyproject.toml name the same packages and versions."""

import re
import tomllib

import yaml
from builders import REPO

# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(specs):
    found = {}
    for spec in specs:
        name, _, version = spec.partition("==")
        found[normalise(CONDA_TO_PYPI.get(name.strip(), name.strip()))] = version.strip()
    return found


def test_environment_and_pyproject_agree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pypi = pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    tooling = re.compile(r"^(python|pip)([<>=]|$)")
    conda = pins(d for d in env["dependencies"] if isinstance(d, str) and not tooling.match(d))
    assert conda == pypi
    assert all(pypi.values()), "every dependency is pinned with =="


def test_lock_pins_every_direct_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    lock = pins(
        line for line in (REPO / "requirements.lock").read_text().splitlines() if "==" in line
    )
    for name, version in direct.items():
        assert lock.get(name) == version, name
