"""A template's parameters: read from the command line, checked against its parameters cell.

``reviewkit run -p NAME=VALUE`` and a schedule's ``parameters:`` give extra values; each must
be declared by the template (in its cell tagged ``parameters``) with a default of the same
type. Every template declares the values the runner sets itself (:data:`RUNNER_PARAMETERS`).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reviewkit.errors import ConfigError, ParameterError

# Parameters the runner sets itself; a template must declare them in its parameters cell.
RUNNER_PARAMETERS = ("workspace", "as_of", "lang")


def _type_name(value: Any) -> str:
    return type(value).__name__


def _declared_type(declared: Mapping[str, Any]) -> str | None:
    """The type of a template parameter: its annotation, else the type of its literal default."""
    annotated = declared.get("inferred_type_name")
    if annotated and annotated != "None":
        return str(annotated)
    try:
        default = ast.literal_eval(str(declared.get("default")))
    except (ValueError, SyntaxError):
        return None
    return None if default is None else _type_name(default)


def parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    """Read ``NAME=VALUE`` command-line parameters; each value is read as a YAML scalar.

    Raises
    ------
    ParameterError
        An item without ``=``, an empty name, or a value that is not a scalar.
    """
    import yaml

    from reviewkit.core.yaml_config import load_text

    values: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(
                f"--parameter {item!r}: write NAME=VALUE, e.g. -p what_if_rule='score >= 70'"
            )
        try:
            value = load_text(text, source=f"--parameter {name}") if text.strip() else ""
        except yaml.YAMLError:
            value = text
        except ConfigError as exc:  # nested too deeply, an alias bomb: one line
            raise ParameterError(str(exc)) from None
        if value is None:
            value = ""
        if not isinstance(value, str | int | float | bool):
            raise ParameterError(
                f"--parameter {name}: {text!r} is not a single value (text or number); "
                f"quote it, e.g. -p {name}='...'"
            )
        values[name] = value
    return values


@functools.lru_cache(maxsize=32)
def _declared_parameters(template: str, _mtime_ns: int) -> dict[str, Any]:
    """The template's parameters cell, read once per version of the file."""
    import papermill

    return dict(papermill.inspect_notebook(template))


def validate_parameters(template: Path, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``parameters`` against the template's ``parameters`` cell.

    Parameters
    ----------
    template
        The notebook template.
    parameters
        Values to inject.

    Returns
    -------
    dict
        The parameters, unchanged, when every name is declared by the template and every
        value has the type of the template's default.

    Raises
    ------
    ParameterError
        Naming the parameter, the bad value and what is allowed.
    """
    declared = _declared_parameters(str(template), template.stat().st_mtime_ns)
    if not declared:
        raise ConfigError(
            f"{template}: no cell tagged 'parameters'; tag the cell of default values"
        )
    for name, value in parameters.items():
        if name not in declared:
            raise ParameterError(
                f"parameter {name!r} is not declared by {template.name}; "
                f"declared parameters are {sorted(declared)}"
            )
        expected = _declared_type(declared[name])
        given = _type_name(value)
        if expected and given != expected and not (expected == "float" and given == "int"):
            raise ParameterError(
                f"parameter {name!r}: {value!r} is a {_type_name(value)}, but {template.name} "
                f"expects a {expected} (default {declared[name]['default']})"
            )
    missing = [p for p in RUNNER_PARAMETERS if p not in declared]
    if missing:
        raise ConfigError(
            f"{template}: the parameters cell lacks {missing}; every template declares "
            f"{list(RUNNER_PARAMETERS)}"
        )
    return dict(parameters)
