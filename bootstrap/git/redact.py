"""The one redactor: nothing that leaves underlay (output, errors, records) carries a secret.

- URL user info: everything between ``scheme://`` and the *last* ``@`` of the same word becomes
  ``***`` — so a password with unencoded ``/`` or ``@`` (CodeCommit passwords contain ``/``) is
  hidden whole, never in part. Over-redacting a rare ``@`` in a path is the safe side.
- Secret query or connection-string parameters (``x-amz-signature=…``, ``sig=…``,
  ``AccountKey=…``, ``token=…``, …): the value becomes ``***``.
- Each explicitly known secret (a token read from the environment, a password taken out of a
  URL), raw and percent-encoded, wherever it appears.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["SECRET_PARAMS", "redact", "redact_url"]

SECRET_PARAMS = (
    "sig",
    "signature",
    "accountkey",
    "sharedaccesssignature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "token",
    "access_token",
    "private_token",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
)
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)\S*@")
_PARAMS = re.compile(
    r"(?i)(?P<key>(?<![A-Za-z0-9_\-])(?:"
    + "|".join(re.escape(p) for p in sorted(SECRET_PARAMS, key=len, reverse=True))
    + r")=)[^&;\s'\"]+"
)
_MIN_SECRET = 4  # shorter "secrets" (e.g. "x") would blank out ordinary words


def redact(text: str, *secrets: str) -> str:
    """``text`` with URL user info, secret parameters and each of ``secrets`` replaced by ***."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_SECRET:
            for form in {secret, quote(secret, safe=""), quote(secret)}:
                text = text.replace(form, "***")
    text = _USERINFO.sub(r"\g<scheme>***@", text)
    return _PARAMS.sub(r"\g<key>***", text)


def redact_url(url: str) -> str:
    """A URL as it may be shown: ``https://user:token@host/x`` -> ``https://***@host/x``."""
    return redact(url)
