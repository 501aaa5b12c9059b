"""The real Kubernetes cluster the ``cluster``-marked tests need.

Those tests are deselected by default (``-m "not cluster"`` in pytest's addopts), so a run
without a cluster does not skip them, it never selects them; ``nox -s cluster`` (or
``pytest -m cluster``) selects them, and then a missing cluster or provider is a failure, not a
quiet skip.
"""

from __future__ import annotations

import os

import pytest

__all__ = ["require_kubeconfig"]


def require_kubeconfig() -> str:
    kubeconfig = os.environ.get("KUBECONFIG")
    if not kubeconfig:
        pytest.fail(
            "cluster tests need a real Kubernetes API server: set KUBECONFIG "
            "(for example to a kind cluster)",
            pytrace=False,
        )
    return kubeconfig
