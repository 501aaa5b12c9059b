"""The one git layer of ``bootstrap/``: URL parsing, redaction, auth, and the git runner.

gitops (``bootstrap.gitops``) and backups (``bootstrap.backup``) both reach git only through
this package, so a credential is handled, bounded and redacted the same way everywhere.
"""
