"""Data from analysis turned into HTML, tables and charts."""
