"""Every user-facing word, and numbers, money, dates and periods written per language.

``t()`` and the catalogues (one per topic); the formatting of values for ja and en.
"""
