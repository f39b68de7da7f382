"""Foundations every layer may use.

Workspace, calendar and periods, holidays, atomic writes, guarded YAML, redaction, currencies,
value bounds, interrupts.
"""
