"""The GS1 Application Identifiers a Digital Link may carry (GS1 General
Specifications §3, GS1 Digital Link URI syntax 1.4 §4).

Each AI has a format (components of a character set and a length, with the
checks the General Specifications name: check digit, date…), whether a
separator (FNC1) must follow it in an element string, whether it is a Digital
Link primary key and with which key qualifiers, and whether it may be a data
attribute in the query string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from bakeprint.gs1 import check_digit

# character sets: N digits, X = CSET 82, Y = CSET 39, Z = CSET 64 (base64url)
CHARSETS = {
    "N": re.compile(r"[0-9]*"),
    "X": re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*"),
    "Y": re.compile(r"[#\-/0-9A-Z]*"),
    "Z": re.compile(r"[\-0-9A-Z_a-z]*=?=?"),
}

# AIs whose first two digits give a predefined length: no FNC1 after them
PREDEFINED = {
    "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "31", "32", "33", "34", "35", "36", "41",
}  # fmt: skip


@dataclass(frozen=True)
class Part:
    charset: str
    min: int
    max: int
    checks: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class AI:
    code: str
    title: str
    parts: tuple[Part, ...]
    # key qualifier sequences (each an ordered tuple: any in-order subset of it
    # is a valid path); None when the AI is not a Digital Link primary key
    qualifiers: tuple[tuple[str, ...], ...] | None = None
    attribute: bool = True  # may be a data attribute in the query string

    @property
    def fnc1(self) -> bool:
        """A separator must follow this AI unless it is the last one."""
        return self.code[:2] not in PREDEFINED

    @property
    def max_length(self) -> int:
        return sum(p.max for p in self.parts)


def _part(spec: str) -> Part:
    optional = spec.startswith("[")
    spec = spec.strip("[]")
    fmt, *checks = spec.split(",")
    m = re.fullmatch(r"([NXYZ])(\.\.)?(\d+)", fmt)
    assert m, spec
    n = int(m.group(3))
    return Part(m.group(1), 1 if m.group(2) else n, n, tuple(checks), optional)


# code(s) | format | title | DL role.  A range "3100-3105" expands to each code.
# Formats as in the General Specifications (N14 fixed, X..20 up to 20);
# ",csum" a mod-10 check digit, ",yymmd0" a date whose day may be 00.
_TABLE = """
00|N18,csum|SSCC|pkey
01|N14,csum|GTIN|pkey=22,10,21;235
02|N14,csum|CONTENT|
10|X..20|BATCH/LOT|
11|N6,yymmd0|PROD DATE|
12|N6,yymmd0|DUE DATE|
13|N6,yymmd0|PACK DATE|
15|N6,yymmd0|BEST BEFORE or BEST BY|
16|N6,yymmd0|SELL BY|
17|N6,yymmd0|USE BY or EXPIRY|
20|N2|VARIANT|
21|X..20|SERIAL|
22|X..20|CPV|
235|X..28|TPX|
240|X..30|ADDITIONAL ID|
241|X..30|CUST. PART No.|
242|N..6|MTO VARIANT|
243|X..20|PCN|
250|X..30|SECONDARY SERIAL|
251|X..30|REF. TO SOURCE|
253|N13,csum [X..17]|GDTI|pkey
254|X..20|GLN EXTENSION COMPONENT|
255|N13,csum [N..12]|GCN|pkey
30|N..8|VAR. COUNT|
3100-3105|N6|NET WEIGHT (kg)|
3110-3115|N6|LENGTH (m)|
3120-3125|N6|WIDTH (m)|
3130-3135|N6|HEIGHT (m)|
3140-3145|N6|AREA (m2)|
3150-3155|N6|NET VOLUME (l)|
3160-3165|N6|NET VOLUME (m3)|
3200-3205|N6|NET WEIGHT (lb)|
3300-3305|N6|GROSS WEIGHT (kg)|
3400-3405|N6|GROSS WEIGHT (lb)|
3500-3505|N6|AREA (in2)|
3600-3605|N6|NET VOLUME (qt)|
3700-3705|N6|GROSS VOLUME (qt)|
37|N..8|COUNT|
3900-3909|N..15|AMOUNT|
3910-3919|N3 N..15|AMOUNT (ISO)|
3920-3929|N..15|PRICE|
3930-3939|N3 N..15|PRICE (ISO)|
3940-3943|N4|PRCNT OFF|
3950-3955|N6|PRICE/UoM|
400|X..30|ORDER NUMBER|
401|X..30,key|GINC|pkey
402|N17,csum|GSIN|pkey
403|X..30|ROUTE|
410|N13,csum|SHIP TO LOC|
411|N13,csum|BILL TO|
412|N13,csum|PURCHASE FROM|
413|N13,csum|SHIP FOR LOC|
414|N13,csum|LOC No.|pkey=254;7040
415|N13,csum|PAY TO|
416|N13,csum|PROD/SERV LOC|
417|N13,csum|PARTY|pkey=7040
420|X..20|SHIP TO POST|
421|N3 X..9|SHIP TO POST (ISO)|
422|N3|ORIGIN|
423|N3 [N..12]|COUNTRY - INITIAL PROCESS|
424|N3|COUNTRY - PROCESS|
425|N3 [N..12]|COUNTRY - DISASSEMBLY|
426|N3|COUNTRY - FULL PROCESS|
427|X..3|ORIGIN SUBDIVISION|
4300-4301|X..35|SHIP TO COMP / NAME|
4302-4306|X..70|SHIP TO ADD / SUB / LOC|
4307|X2|SHIP TO COUNTRY|
4308|X..30|SHIP TO PHONE|
4309|N20|SHIP TO GEO|
4310-4311|X..35|RTN TO COMP / NAME|
4312-4316|X..70|RTN TO ADD / SUB / LOC|
4317|X2|RTN TO COUNTRY|
4318|X..20|RTN TO POST|
4319|X..30|RTN TO PHONE|
4320|X..35|SRV DESCRIPTION|
4321-4323|N1|DANGEROUS GOODS / AUTH LEAVE / SIG REQUIRED|
4324-4325|N10|NBEF DEL DT / NAFT DEL DT|
4326|N6,yymmdd|REL DATE|
4330-4333|N6 [X1]|MAX / MIN TEMP|
7001|N13|NSN|
7002|X..30|MEAT CUT|
7003|N10|EXPIRY TIME|
7004|N..4|ACTIVE POTENCY|
7005|X..12|CATCH AREA|
7006|N6,yymmdd|FIRST FREEZE DATE|
7007|N6,yymmdd [N6,yymmdd]|HARVEST DATE|
7008|X..3|AQUATIC SPECIES|
7009|X..10|FISHING GEAR TYPE|
7010|X..2|PROD METHOD|
7011|N6 [N4]|TEST BY DATE|
7020|X..20|REFURB LOT|
7021|X..20|FUNC STAT|
7022|X..20|REV STAT|
7023|X..30|GIAI - ASSEMBLY|
7040|N1 X3|UIC+EXT|
7041|X..4|UFRGT UNIT TYPE|
710-716|X..20|NHRN|
7230-7239|X2 X..28|CERT #|
7240|X..20|PROTOCOL|
7241|N2|AIDC MEDIA TYPE|
7242|X..25|VCN|
7250|N8|DOB|
7251|N12|DOB TIME|
7252|N1|BIO SEX|
7253|X..40|FAMILY NAME|
7254|X..40|GIVEN NAME|
7255|X..10|SUFFIX|
7256|X..90|FULL NAME|
7257|X..70|PERSON ADDR|
7258|N1 X1 N1|BIRTH SEQUENCE|
7259|X..40|BABY|
8001|N14|DIMENSIONS|
8002|X..20|CMT No.|
8003|N14,csum [X..16]|GRAI|pkey
8004|X..30,key|GIAI|pkey=7040
8005|N6|PRICE PER UNIT|
8006|N14,csum N4|ITIP|pkey=22,10,21
8007|X..34|IBAN|
8008|N8 [N..4]|PROD TIME|
8009|X..50|OPTSEN|
8010|Y..30,key|CPID|pkey=8011
8011|N..12|CPID SERIAL|
8012|X..20|VERSION|
8013|X..25,key|GMN|pkey
8014|X..25|MUDI|
8017|N18,csum|GSRN - PROVIDER|pkey=8019
8018|N18,csum|GSRN - RECIPIENT|pkey=8019
8019|N..10|SRIN|
8020|X..25|REF No.|
8026|N14,csum N4|ITIP CONTENT|
8030|Z..90|DIGSIG|
8110|X..70|COUPON|
8111|N4|POINTS|
8112|X..70|COUPON|
8200|X..70|PRODUCT URL|noattr
90|X..30|INTERNAL|
91-99|X..90|INTERNAL|
"""


def _expand(codes: str) -> list[str]:
    if "-" not in codes:
        return [codes]
    lo, hi = codes.split("-")
    return [str(n).zfill(len(lo)) for n in range(int(lo), int(hi) + 1)]


@cache
def table() -> dict[str, AI]:
    out: dict[str, AI] = {}
    for line in _TABLE.strip().splitlines():
        codes, fmt, title, role = line.split("|")
        parts = tuple(_part(p) for p in fmt.split())
        qualifiers: tuple[tuple[str, ...], ...] | None = None
        if role.startswith("pkey"):
            _, _, qs = role.partition("=")
            qualifiers = tuple(tuple(q.split(",")) for q in qs.split(";")) if qs else ()
        for code in _expand(codes):
            out[code] = AI(code, title, parts, qualifiers, role != "noattr")
    return out


def lookup(code: str) -> AI | None:
    return table().get(code)


def _date_ok(value: str, *, day_zero: bool) -> bool:
    mm, dd = int(value[2:4]), int(value[4:6])
    if not 1 <= mm <= 12:
        return False
    if dd == 0:
        return day_zero
    # the year's century does not matter except for 29 February: a leap year
    # by the GS1 sliding window is what matters, and 2000 is one, so any YY
    # divisible by 4 can be a leap year
    year = 2000 + int(value[:2])
    try:
        date(year, mm, dd)
    except ValueError:
        return False
    return True


def check(ai: AI, value: str) -> str | None:
    """Why ``value`` is not a valid value of ``ai`` (English), or None."""
    rest = value
    for i, part in enumerate(ai.parts):
        if not rest:
            if part.optional:
                break
            return f"AI ({ai.code}) is too short"
        last = i == len(ai.parts) - 1
        take = rest if last else rest[: part.max]  # inner parts: fixed length
        if len(take) < part.min:
            return f"AI ({ai.code}) is too short"
        if len(take) > part.max:
            return f"AI ({ai.code}) is too long"
        if not CHARSETS[part.charset].fullmatch(take):
            names = {
                "N": "digits",
                "X": "GS1 characters (CSET 82)",
                "Y": "CSET 39 characters",
                "Z": "CSET 64 characters",
            }
            return f"AI ({ai.code}) must be {names[part.charset]}: {take!r}"
        for name in part.checks:
            bad = _lint(name, take)
            if bad:
                return f"AI ({ai.code}) {bad}"
        rest = rest[len(take) :]
    if rest:
        return f"AI ({ai.code}) is too long"
    return None


def _lint(name: str, value: str) -> str | None:
    if name == "csum":
        expected = check_digit(value[:-1])
        if expected != int(value[-1]):
            return f"has a wrong check digit (expected {expected}): {value}"
    elif name in ("yymmd0", "yymmdd"):
        if not _date_ok(value, day_zero=name == "yymmd0"):
            return f"is not a valid date (YYMMDD): {value}"
    elif name == "key" and not re.match(r"\d{4}", value):
        # a key starts with a GS1 Company Prefix: at least four digits
        return f"must start with a GS1 Company Prefix: {value}"
    return None


def valid_path(sequence: list[str] | tuple[str, ...]) -> bool:
    """Is this the AI sequence of a Digital Link path: a primary key then an
    in-order subset of one of its key-qualifier sequences?"""
    if not sequence:
        return False
    key = lookup(sequence[0])
    if key is None or key.qualifiers is None:
        return False
    rest = list(sequence[1:])
    if not rest:
        return True
    for option in key.qualifiers:
        it = iter(option)
        if all(q in it for q in rest):  # a subsequence, in order
            return True
    return False
