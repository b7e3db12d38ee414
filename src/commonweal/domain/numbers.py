"""Showing exact numbers to people: the one place numbers and money become text (#21 item 8)."""

from decimal import Decimal
from fractions import Fraction

NO_VALUE = "–"


def plain(value: Decimal) -> str:
    """`Decimal('90.0')` -> `'90'`, `Decimal('12.50')` -> `'12.5'`: no trailing zeros and never an exponent."""
    return format(value.normalize(), "f")


def money(value: Decimal | None, places: int | None = 2) -> str:
    """Money as people read it, formatted from the Decimal (never through a float); `–` when there is no value.

    `places=2`: pounds and pence, `−£1,234.50` (tables, prices); `places=0`: whole pounds, `−£1,235` (figures
    from published accounts); `places=None`: as exact as the amount, pence only when there are some, `£5,000,000`
    and `£12.50` (amounts in sentences). The minus sign goes before the £ as people write it.
    """
    if value is None:
        return NO_VALUE
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, got {type(value).__name__}")
    sign = "−" if value < 0 else ""
    amount = abs(value)
    if places is None:
        places = 0 if amount == amount.to_integral_value() else 2
    text = f"{amount:,.{places}f}"
    return f"{sign if text.strip('0,.') else ''}£{text}"


def exact_text(value: Fraction, places: int = 4) -> str:
    """An exact fraction for people: `5.5` when its decimal expansion ends within `places` places, else the
    rounded decimal with the fraction (`9.1667 (55/6)`), so a reader never mistakes a rounded figure for the exact
    one."""
    shown = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = shown.quantize(Decimal(1).scaleb(-places))
    if rounded == shown:
        return plain(rounded)
    return f"{plain(rounded)} ({value.numerator}/{value.denominator})"
