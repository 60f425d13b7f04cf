"""Whole numbers read from requests, bounded before they are converted."""


def bounded_int(raw: str, *, minimum: int, maximum: int) -> int | None:
    """`raw` as an int when it is ASCII digits within [minimum, maximum], else None.

    The length is checked before int(): Python refuses to convert more than 4,300 digits
    (a ValueError nobody expects from a string of digits), and the conversion of a long one
    costs time quadratic in its length.
    """
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(maximum)):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None
