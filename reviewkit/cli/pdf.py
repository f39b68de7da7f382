"""``reviewkit pdf``: print a pack to PDF, A4 landscape, every chart drawn."""

from __future__ import annotations

from pathlib import Path

import click

from reviewkit.cli.shared import err, out


def _size(n: int) -> str:
    """A byte count as people read it (``412 KB``, ``1.2 MB``)."""
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB"


@click.command()
@click.argument("pack", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Where the PDF goes (a file, or a folder for <pack>.pdf). Default: beside "
              "the pack, pack.html → pack.pdf.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds for opening the pack, drawing its charts and printing.")  # fmt: skip
def pdf(pack: Path, output: Path | None, timeout: float) -> None:
    """Print PACK (a pack.html, or the folder holding it) to PDF, A4 landscape.

    Prints through the system's Chromium ($REVIEWKIT_CHROMIUM, else chromium on PATH), with
    every chart drawn and nothing fetched from the network.
    """
    from reviewkit.deliver.pdf import pdf_pages, print_pdf, resolve_pack

    html = resolve_pack(pack)
    target = output / f"{html.stem}.pdf" if output is not None and output.is_dir() else output
    with err.status(f"printing {html}…"):
        written = print_pdf(html, out=target, timeout=timeout)
    data = written.read_bytes()
    out.print(f"{written}: {pdf_pages(data)} pages, {_size(len(data))}")
