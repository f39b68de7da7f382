"""A zoo of generated companies of different shapes, each with planted problems and a truth.

``sample`` is the sample company; ``brazil`` (MQL -> won, counts only, BRL), ``usa``
(lead -> opportunity -> won, USD, one Salesforce org) and ``germany`` (seven stages with SAL,
EUR, MA and CRM) are the others. Each has a ``spec.yml`` (how it is generated), a
``truth.yml`` (review dates, planted problems, data flaws, what each template must find), its
reference configuration (``params/``) and export files in its systems' real layouts::

    from reviewkit.ingest.sample import zoo
    company = zoo.generate("brazil")          # tables, spec, truth
    zoo.write_workspace("brazil", "ws/")      # params/, data/ (the store), outputs/
    zoo.write_exports("brazil", "ws/exports") # the CSV files its systems export
"""

from __future__ import annotations

from reviewkit.ingest.sample.zoo.companies import (
    COMPANIES,
    ZooCompany,
    generate,
    load_spec,
    load_truth,
)
from reviewkit.ingest.sample.zoo.truth import planted_findings, review_periods, scorecard_truth
from reviewkit.ingest.sample.zoo.workspace import write_exports, write_workspace

__all__ = [
    "COMPANIES",
    "ZooCompany",
    "generate",
    "load_spec",
    "load_truth",
    "planted_findings",
    "review_periods",
    "scorecard_truth",
    "write_exports",
    "write_workspace",
]
