"""Printable reports: HTML (Jinja2) and PDF (WeasyPrint) on one shared base layout, with charts drawn offline
(Altair + vl-convert)."""
