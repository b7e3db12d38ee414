"""Showing exact numbers to people."""

from decimal import Decimal


def plain(value: Decimal) -> str:
    """`Decimal('90.0')` -> `'90'`, `Decimal('12.50')` -> `'12.5'`: no trailing zeros and never an exponent."""
    return format(value.normalize(), "f")
