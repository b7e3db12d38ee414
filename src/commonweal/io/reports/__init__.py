"""Printable reports: HTML (Jinja2) and PDF (WeasyPrint), with charts drawn offline (Altair + vl-convert)."""
