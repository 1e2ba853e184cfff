"""Unit serials: short enough to type on a phone, too sparse to enumerate.

Eight random characters from a 31-letter alphabet without look-alikes (no 0/O,
1/I/L) plus one check character: the position-weighted sum mod 31, which catches
every single mistyped character because 31 is prime. e.g. ``K7Q3M9XZP``:
31⁸ ≈ 8.5 × 10¹¹ possible serials for a few thousand units a week, so a public
URL cannot be guessed from a neighbour's.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 characters, a prime
BODY = 8


def check_char(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_serial() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
    return body + check_char(body)


def normalize(text: str) -> str:
    """Upper-case and drop the spaces and dashes people type for readability."""
    return text.strip().upper().replace(" ", "").replace("-", "")


def is_valid(serial: str) -> bool:
    if len(serial) != BODY + 1 or any(ch not in ALPHABET for ch in serial):
        return False
    return check_char(serial[:-1]) == serial[-1]
