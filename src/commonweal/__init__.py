"""Commonweal: commission UK council services on social value, not on price alone."""

__version__ = "0.1.0"
