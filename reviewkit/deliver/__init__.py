"""Delivering packs to their people: e-mail, chat, PDF, a site laid out per audience.

This layer sits above :mod:`reviewkit.pack`: it reads what a batch built (the packs, their
manifests and ``summary.json``) and never builds or changes a pack.
"""
