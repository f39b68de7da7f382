"""What a user sees in a pack, in a stable form: the visible text and every chart's data.

The golden test (``test_zoo_matrix.test_packs_equal_the_golden_references``) compares each pack
of the sample company and of every zoo company with a reference committed under
``tests/golden/`` before the package was reorganised. Random element ids, build times and run
durations are masked; chart data are the Vega-Lite datasets with floats rounded to 9 digits.

Refresh the references after an intended change of a pack's text or numbers::

    REVIEWKIT_GOLDEN_WRITE=1 .venv/bin/python -m pytest tests/e2e/test_zoo_matrix.py -k golden
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from bs4 import BeautifulSoup

GOLDEN = Path(__file__).parent / "golden"
# build times, durations and generated ids: they change from run to run, not with the numbers
_MASKS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z| UTC)?"),
     "<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "<clock>"),
    (re.compile(r"\d+(\.\d+)?\s?(s|ms|秒|分)\b"), "<duration>"),
    (re.compile(r"T_[0-9a-f]{5}"), "T_<id>"),
    # the day of a time of day (an import's, a build's) changes with the hour the test runs
    (re.compile(r"(\d{1,2} [A-Z][a-z]{2,8} \d{4}|[A-Z][a-z]{2,8} \d{1,2}, \d{4}|"
                r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/]\d{1,2}[-/]\d{1,2})\s*<clock>"), "<time>"),
)  # fmt: skip


def write_mode() -> bool:
    """Whether this run writes the references instead of comparing with them."""
    return os.environ.get("REVIEWKIT_GOLDEN_WRITE", "") == "1"


def _mask(text: str) -> str:
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


def _round(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def chart_data(soup: BeautifulSoup) -> list[object]:
    """The data of every chart of a pack, in page order."""
    out: list[object] = []
    for tag in soup.select('script[type="application/json"]'):
        spec = json.loads(tag.string or "null")
        if not isinstance(spec, dict):
            continue
        datasets = spec.get("datasets") or {}
        inline = (
            (spec.get("data") or {}).get("values") if isinstance(spec.get("data"), dict) else None
        )
        out.append(_round({"datasets": [datasets[k] for k in sorted(datasets)], "values": inline}))
    return out


def visible_text(soup: BeautifulSoup) -> list[str]:
    """The pack's visible text, one line per text node, with times and ids masked."""
    for tag in soup(["script", "style"]):
        tag.decompose()
    return [_mask(line) for line in soup.get_text("\n", strip=True).splitlines()]


def snapshot(pack: Path) -> dict[str, object]:
    """The comparable content of one ``pack.html``."""
    html = pack.read_text(encoding="utf-8")
    charts = chart_data(BeautifulSoup(html, "html.parser"))
    return {"text": visible_text(BeautifulSoup(html, "html.parser")), "charts": charts}


def reference_path(company: str, cadence: str, lang: str) -> Path:
    """Where the reference of one pack lives."""
    return GOLDEN / company / f"{cadence}-{lang}.json"


def write_reference(path: Path, snap: dict[str, object]) -> None:
    """Write a reference (text first, one line per entry, so that diffs are readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{", '"text": [']
    text = snap["text"]
    assert isinstance(text, list)
    lines += [json.dumps(t, ensure_ascii=False) + ("," if i < len(text) - 1 else "")
              for i, t in enumerate(text)]  # fmt: skip
    lines += ["],", '"charts": [']
    charts = snap["charts"]
    assert isinstance(charts, list)
    dump = [json.dumps(c, ensure_ascii=False, sort_keys=True) for c in charts]
    lines += [d + ("," if i < len(dump) - 1 else "") for i, d in enumerate(dump)]
    lines += ["]", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_reference(path: Path) -> dict[str, object]:
    """A reference as written by :func:`write_reference`."""
    return json.loads(path.read_text(encoding="utf-8"))
