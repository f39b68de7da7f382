"""Export files into the store.

Readers, parsing, profiles, importer, identity matching, and the sample company generators
(``sample/``).
"""
