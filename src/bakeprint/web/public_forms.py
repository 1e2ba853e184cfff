"""The public scan page's "report a problem" form carries a signed,
time-limited token for its package (issue #17): a report is only taken from a
form the scan page drew, for that package, in the last
``settings.report_form_max_age_s`` seconds. A script cannot post reports
about serials it never opened, and another site cannot make visitors' phones
post them. No session or cookie is needed: the consumer is not signed in.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

from bakeprint.config import secret_key, settings

SALT = "bakeprint.public-report"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt=SALT)


def report_token(serial: str) -> str:
    """The token the scan page puts into the report form of ``serial``."""
    return _signer().dumps(serial)


def report_token_ok(serial: str, token: object) -> bool:
    """Whether ``token`` was made for ``serial`` and has not expired."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return False
    try:
        made_for = _signer().loads(token, max_age=settings.report_form_max_age_s)
    except BadSignature:  # also SignatureExpired
        return False
    return bool(made_for == serial)
