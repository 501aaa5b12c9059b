"""Gaps of the AWS emulator (moto 5.2.1) that block the real provider's workflows, filled for
the tests and the demo only, in the emulator's process; nothing here reaches a real AWS env.

- EKS ``DescribeUpdate``: moto applies ``UpdateNodegroupConfig``/``UpdateClusterConfig`` at once
  and returns an update id, but has no ``DescribeUpdate``, which the AWS provider polls until the
  update is done (a 404 "deserialization failed" otherwise). Every update is reported
  ``Successful``: moto already applied it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["apply_patches"]


def apply_patches() -> None:
    from moto.core.responses import ActionResult
    from moto.eks import urls
    from moto.eks.responses import EKSResponse

    def describe_update(self: EKSResponse) -> Any:
        update_id = self.uri.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        return ActionResult(
            {
                "update": {
                    "id": update_id,
                    "status": "Successful",
                    "type": "ConfigUpdate",
                    "params": [],
                    "createdAt": datetime.now(UTC),
                    "errors": [],
                }
            }
        )

    EKSResponse.describe_update = describe_update  # type: ignore[attr-defined]
    urls.url_paths["{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$"] = (
        urls.response.dispatch
    )
