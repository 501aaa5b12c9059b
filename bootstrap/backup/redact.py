"""Keep credentials out of output: any ``scheme://userinfo@`` becomes ``scheme://***@``.

Applied to every URL and every foreign error message (git stderr, SDK errors) we print or store,
because git remotes often carry tokens as ``https://user:token@host``.
"""

from __future__ import annotations

import re

__all__ = ["redact_text", "redact_url"]

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s]+@")
_SECRET_PARAMS = re.compile(
    r"(?i)(?P<key>\b(?:sig|accountkey|sharedaccesssignature|x-amz-signature|x-amz-credential|"
    r"x-amz-security-token|token|password)=)[^&;\s]+"
)


def redact_url(url: str) -> str:
    """``https://user:token@host/x`` -> ``https://***@host/x``; other URLs unchanged."""
    return redact_text(url)


def redact_text(text: str) -> str:
    """Redact userinfo in every URL and secret-looking query or connection-string values."""
    text = _USERINFO.sub(r"\g<scheme>***@", text)
    return _SECRET_PARAMS.sub(r"\g<key>***", text)
