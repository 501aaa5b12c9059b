"""``--dist loadgroup`` for the pinned pytest: keep each ``xdist_group`` on one worker, and hand
out the long Terraform chains first.

pytest-xdist 3.8 tags a grouped test by appending ``@<group>`` to ``item._nodeid``; pytest 9
keeps a node's id in ``item._id`` and no longer reads ``_nodeid``, so the tag was silently lost
and every test became its own group: the shared deployment was applied on both workers (and its
two copies met on neither's emulator). This hook, run after xdist's, puts the tag where pytest
9 reads it; where xdist's own tag took effect it does nothing.

The ``deploy`` tests (real applies; minutes each, much of it the provider's waits) move to the
front of the collection, so each starts at once while the other workers take everything else
around them (longest first): without this, the delivery loop (one test, about 2.5 minutes) was
handed out after about 100 s and ended the run. Among them the grouped ones go first (xdist
hands out multi-test groups first anyway): the shared deployment and the state-lock test start
at once, and the delivery loop follows the lock test on its worker, so its first rollout's 55 s
provider wait no longer falls on the deployment's (two workers of three waiting at once left a
core idle for about 45 s)."""

from __future__ import annotations

import pytest
from _pytest.nodeid import NodeId

__all__ = ["deploy_first", "group_suffix", "pytest_collection_modifyitems"]


def group_suffix(item: pytest.Item) -> str | None:
    """``@<group>`` as xdist writes it (groups sorted, joined with ``_``), or None."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "@" + "_".join(sorted(names)) if names else None


def deploy_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """``items`` with the ``deploy``-marked ones first, grouped before ungrouped; each part keeps
    its order, so a package's or module's tests stay together (their fixtures are set up once)."""
    return sorted(
        items,
        key=lambda item: (
            item.get_closest_marker("deploy") is None,
            item.get_closest_marker("xdist_group") is None,
        ),
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):
        return
    items[:] = deploy_first(items)
    for item in items:
        suffix = group_suffix(item)
        if suffix and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
