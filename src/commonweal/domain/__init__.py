"""The pure domain core: plain Python, no Django, no CLI, no file or database I/O.

Everything here takes and returns plain values (dataclasses, Decimals, dates) so that the CLI, the web app and
the tests can all drive it the same way. import-linter enforces the purity (see pyproject.toml).
"""
