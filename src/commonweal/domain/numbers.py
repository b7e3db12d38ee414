"""Showing exact numbers to people."""

from decimal import Decimal
from fractions import Fraction


def plain(value: Decimal) -> str:
    """`Decimal('90.0')` -> `'90'`, `Decimal('12.50')` -> `'12.5'`: no trailing zeros and never an exponent."""
    return format(value.normalize(), "f")


def exact_text(value: Fraction, places: int = 4) -> str:
    """An exact fraction for people: `5.5` when its decimal expansion ends within `places` places, else the
    rounded decimal with the fraction (`9.1667 (55/6)`), so a reader never mistakes a rounded figure for the exact
    one."""
    shown = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = shown.quantize(Decimal(1).scaleb(-places))
    if rounded == shown:
        return plain(rounded)
    return f"{plain(rounded)} ({value.numerator}/{value.denominator})"
