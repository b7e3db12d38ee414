"""Printable reports (HTML from Jinja2 templates, PDF through WeasyPrint) built on one shared base layout."""
