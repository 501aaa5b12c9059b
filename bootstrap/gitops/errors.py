"""The git side's errors: bad input exits 2, a run-time failure exits 1 (``bootstrap.cli``).

They are the errors of the one git layer (:mod:`bootstrap.git.errors`) under their gitops names.
"""

from __future__ import annotations

from bootstrap.git.errors import GitAuthError as RemoteAuthError
from bootstrap.git.errors import GitInputError as GitOpsError
from bootstrap.git.errors import GitRuntimeError as GitOpsRuntimeError

__all__ = ["GitOpsError", "GitOpsRuntimeError", "PushRejectedError", "RemoteAuthError"]


class PushRejectedError(GitOpsRuntimeError):
    """The remote rejected the push for a reason retrying cannot fix, or retries ran out."""
