"""GS1 keys: GTIN check digits (GS1 General Specifications §7.9)."""

from __future__ import annotations

from bakeprint.errors import Invalid


def check_digit(digits: str) -> int:
    """Mod-10 check digit for the given digits (without the check digit)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_gtin(value: str) -> bool:
    if len(value) not in (8, 12, 13, 14) or not value.isdigit():
        return False
    return check_digit(value[:-1]) == int(value[-1])


def normalize_gtin(value: str, *, field: str = "gtin") -> str:
    """Return the GTIN-14 form of a GTIN-8/12/13/14, or raise Invalid."""
    raw = value.strip().replace(" ", "")
    if not raw.isdigit() or len(raw) not in (8, 12, 13, 14):
        raise Invalid(
            f"GTIN 必须是 8、12、13 或 14 位数字：{value}",
            f"a GTIN must be 8, 12, 13 or 14 digits: {value}",
            field=field,
        )
    if not is_valid_gtin(raw):
        expected = check_digit(raw[:-1])
        raise Invalid(
            f"GTIN {raw} 的校验位错误：应为 {expected}，实为 {raw[-1]}",
            f"GTIN {raw} has a wrong check digit: expected {expected}, got {raw[-1]}",
            field=field,
        )
    return raw.zfill(14)


def make_gtin(prefix_digits: str) -> str:
    """Complete 13 digits with their check digit into a GTIN-14."""
    if len(prefix_digits) != 13 or not prefix_digits.isdigit():
        raise ValueError("need 13 digits")
    return prefix_digits + str(check_digit(prefix_digits))


def normalize_gln(value: str, *, field: str = "gln") -> str:
    """Return a 13-digit GLN (Global Location Number) or raise Invalid."""
    raw = value.strip().replace(" ", "")
    if not raw.isdigit() or len(raw) != 13:
        raise Invalid(
            f"GLN 必须是 13 位数字：{value}",
            f"a GLN must be 13 digits: {value}",
            field=field,
        )
    expected = check_digit(raw[:-1])
    if expected != int(raw[-1]):
        raise Invalid(
            f"GLN {raw} 的校验位错误：应为 {expected}，实为 {raw[-1]}",
            f"GLN {raw} has a wrong check digit: expected {expected}, got {raw[-1]}",
            field=field,
        )
    return raw
