"""The one git layer of ``bootstrap/``: URL parsing, redaction, auth, and the git runner.

gitops (``bootstrap.gitops``), backups (``bootstrap.backup``) and delivery
(``bootstrap.delivery``) reach git only through this package, and only :mod:`.runner` starts a
git process, so a credential is handled, bounded and redacted the same way everywhere.
"""
