"""Keep credentials out of backup output: the one redactor of :mod:`bootstrap.git.redact`."""

from __future__ import annotations

from bootstrap.git.redact import redact as redact_text
from bootstrap.git.redact import redact_url

__all__ = ["redact_text", "redact_url"]
