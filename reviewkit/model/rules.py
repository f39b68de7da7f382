"""Rule expressions over lead attributes, compiled to DuckDB SQL.

A rule is a small Python-like expression: comparisons (``==``, ``!=``, ``<``, ``<=``, ``>``,
``>=``, ``in``, ``not in``) of lead columns with literals, combined with ``and``, ``or``,
``not`` and parentheses, e.g. ``score >= 60 and company_size != 'micro'`` or
``channel in ['paid_search', 'display']``. ``== None`` tests for a missing value. Nothing else
is allowed (no function calls, no arithmetic), so a rule can never run arbitrary SQL.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Collection

from reviewkit.errors import ConfigError

_COMPARE = {
    ast.Eq: "=",
    ast.NotEq: "<>",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}


_NO_CALLS = (
    "function calls are not allowed; compare a lead column with a literal (e.g. score >= 60)"
)


def _literal(node: ast.expr, rule: str) -> str:
    if isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, str | int | float | bool)
    ):
        value = node.value
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return repr(value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return "-" + _literal(node.operand, rule)
    raise _error(rule, node, "expected a literal (a number, a 'text' or None)")


def _error(rule: str, node: ast.AST, what: str) -> ConfigError:
    col = getattr(node, "col_offset", 0)
    snippet = ast.get_source_segment(rule, node) or rule
    return ConfigError(f"rule {rule!r}, column {col + 1} ({snippet!r}): {what}")


def compile_rule(rule: str, *, columns: Collection[str], alias: str = "") -> str:
    """Compile ``rule`` to a SQL boolean expression over ``columns``.

    Parameters
    ----------
    rule
        The rule, e.g. ``score >= 60 and company_size != 'micro'``.
    columns
        The lead columns a rule may use.
    alias
        A table alias to read the columns from (``l`` gives ``l."score"``); empty: none.

    Returns
    -------
    str
        SQL for a ``WHERE`` clause; column names are quoted.

    Raises
    ------
    ConfigError
        For a syntax error, an unknown column or anything but comparisons of columns with
        literals combined by ``and``/``or``/``not``; the message shows the offending part.
    """
    try:
        tree = ast.parse(rule.strip(), mode="eval")
    except SyntaxError as exc:
        at = f" at column {exc.offset}" if exc.offset else ""
        raise ConfigError(
            f"rule {rule!r}: not a valid expression{at} ({exc.msg}); "
            "write e.g. score >= 60 and company_size != 'micro'"
        ) from None
    return _RuleCompiler(rule, columns=columns, alias=alias).walk(tree.body)


NUMERIC_COLUMNS = ("score",)  # the lead columns that hold numbers; every other one holds text


def _check_type(rule: str, left: ast.expr, right: ast.expr) -> None:
    """Refuse a number compared with a text column, or text with a numeric one.

    DuckDB would only fail when a pack runs (``Cannot compare VARCHAR and INTEGER``); the
    definitions are refused instead, naming the comparison.
    """
    if not isinstance(left, ast.Name):
        return
    numeric = left.id in NUMERIC_COLUMNS
    if _number(right) is not None and not numeric:
        raise _error(
            rule,
            right,
            f"{left.id!r} holds text: compare it with a quoted value (e.g. "
            f"{left.id} == 'value'), not a number",
        )
    if isinstance(right, ast.Constant) and isinstance(right.value, str) and numeric:
        raise _error(
            rule,
            right,
            f"{left.id!r} holds numbers: compare it with a number (e.g. {left.id} >= 60), not text",
        )


def rule_columns(rule: str) -> set[str]:
    """The names a rule refers to (for dependency checks)."""
    return {n.id for n in ast.walk(ast.parse(rule.strip(), mode="eval")) if isinstance(n, ast.Name)}


_ORDER = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def _number(node: ast.expr) -> int | float | None:
    """The value of a numeric literal (``60``, ``-2.5``), else ``None`` (booleans are not)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    value = node.value if isinstance(node, ast.Constant) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def _thresholds(rule: str) -> list[tuple[str, str, int | float, ast.expr]]:
    """Every ``column <op> number`` comparison of a rule (``<``, ``<=``, ``>``, ``>=``)."""
    tree = ast.parse(rule.strip(), mode="eval")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                value = _number(right)
                if type(op) in _ORDER and isinstance(left, ast.Name) and value is not None:
                    found.append((left.id, _ORDER[type(op)], value, right))
                left = right
    return found


def rule_threshold(rule: str) -> tuple[str, str, int | float] | None:
    """The one numeric threshold of a rule: ``score >= 60`` -> ``("score", ">=", 60)``.

    Parameters
    ----------
    rule
        A rule (see :func:`compile_rule`); only ``column <op> number`` with ``<``, ``<=``,
        ``>`` or ``>=`` counts as a threshold (``60 <= score`` does not).

    Returns
    -------
    tuple or None
        ``(column, operator, value)``, or ``None`` when the rule has no such comparison or
        more than one (``score >= 60 and company_size != 'micro'`` has one).
    """
    found = _thresholds(rule)
    return found[0][:3] if len(found) == 1 else None


def with_threshold(rule: str, value: float) -> str:
    """``rule`` with its one numeric threshold replaced by ``value``, the rest as written.

    Raises
    ------
    ValueError
        When the rule has no single threshold (see :func:`rule_threshold`) or ``value`` is not
        a finite number.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"threshold {value!r}: expected a finite number")
    found = _thresholds(rule)
    if len(found) != 1:
        raise ValueError(f"rule {rule!r}: has {len(found)} numeric thresholds, not exactly one")
    node = found[0][3]
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    source = rule.strip().encode("utf-8")  # AST offsets count UTF-8 bytes
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    begin = starts[node.lineno - 1] + node.col_offset
    end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
    return (source[:begin] + text.encode("utf-8") + source[end:]).decode("utf-8")


class _RuleCompiler:
    """Compiles the nodes of one parsed rule over its allowed columns."""

    def __init__(self, rule: str, *, columns: Collection[str], alias: str) -> None:
        self.rule = rule
        self.columns = columns
        self.alias = alias
        self.allowed = sorted(columns)

    def column(self, node: ast.expr) -> str:
        """A column reference, quoted (and read from the alias)."""
        rule, columns, alias, allowed = self.rule, self.columns, self.alias, self.allowed
        if isinstance(node, ast.Call):
            raise _error(rule, node, _NO_CALLS)
        if not isinstance(node, ast.Name):
            raise _error(rule, node, f"expected a lead column (one of {allowed})")
        if node.id not in columns:
            raise _error(rule, node, f"unknown column {node.id!r}; use one of {allowed}")
        return f'{alias}."{node.id}"' if alias else f'"{node.id}"'

    def walk(self, node: ast.expr) -> str:
        """SQL of a boolean node: and / or / not, a comparison, or a bare column."""
        rule = self.rule
        if isinstance(node, ast.BoolOp):
            joiner = " AND " if isinstance(node.op, ast.And) else " OR "
            return "(" + joiner.join(self.walk(v) for v in node.values) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"(NOT {self.walk(node.operand)})"
        if isinstance(node, ast.Compare):
            parts = []
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                parts.append(self.compare(left, op, right))
                left = right
            return "(" + " AND ".join(parts) + ")"
        if isinstance(node, ast.Name):
            return f"coalesce({self.column(node)}, FALSE)"
        if isinstance(node, ast.Call):
            raise _error(rule, node, _NO_CALLS)
        raise _error(rule, node, "only comparisons joined by and / or / not are allowed")

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        """SQL of one comparison of a column with a literal or a list of literals."""
        rule = self.rule
        name = self.column(left)
        if isinstance(op, ast.In | ast.NotIn):
            if not isinstance(right, ast.List | ast.Tuple | ast.Set) or not right.elts:
                raise _error(rule, right, "expected a non-empty list like ['a', 'b']")
            for item in right.elts:
                _check_type(rule, left, item)
            values = ", ".join(_literal(v, rule) for v in right.elts)
            negate = "NOT " if isinstance(op, ast.NotIn) else ""
            return f"coalesce({name} {negate}IN ({values}), FALSE)"
        if type(op) not in _COMPARE:
            raise _error(rule, right, "unsupported comparison")
        _check_type(rule, left, right)
        value = _literal(right, rule)
        if value == "NULL":
            if isinstance(op, ast.Eq):
                return f"{name} IS NULL"
            if isinstance(op, ast.NotEq):
                return f"{name} IS NOT NULL"
            raise _error(rule, right, "None can only be compared with == or !=")
        return f"coalesce({name} {_COMPARE[type(op)]} {value}, FALSE)"
