"""The chart runtime a pack carries once: vega, vega-lite and vega-embed, from vl-convert.

vl-convert ships the bundle, so nothing is downloaded; building it takes about a second, so it
is cached on disk (``$XDG_CACHE_HOME/reviewkit``, else ``~/.cache/reviewkit``) per vl-convert
version, and in memory per process.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from reviewkit.core.atomic import write_text_atomic


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reviewkit"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """The JavaScript that defines ``vegaEmbed``, ``vega`` and ``vegaLite`` (about 0.9 MB)."""
    version = metadata.version("vl-convert-python")
    path = _cache_dir() / f"vega-bundle-{version}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert

    # vl_convert's stub makes `snippet` required; the function defaults it (its docstring)
    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]
    with contextlib.suppress(OSError):  # a read-only home: keep it in memory only
        write_text_atomic(path, bundle)
    return bundle


def inline_script(code: str) -> str:
    """``code`` made safe to place inside an HTML ``<script>`` element."""
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")
