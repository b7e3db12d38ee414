"""Readers and writers at the edge: CSV, XLSX, YAML, JSON, HTML and PDF. They turn files into domain objects and
back, and report bad input with the file, row and column."""
