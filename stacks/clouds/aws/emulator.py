"""What differs when an environment runs on an AWS API emulator (moto) instead of AWS.

Only environments with ``cloud.endpoint`` set get these; real AWS environments never do.
Each entry is an emulator fidelity gap, kept visible here rather than by dropping the
"second plan shows no changes" check.
"""

from __future__ import annotations

__all__ = ["NODE_GROUP_IGNORED_ON_EMULATOR"]

# moto reads back a node group it was never given SSH access for with
# `remote_access.ec2_ssh_key = "eksKeypair"` (which forces replacement), and does not store
# `update_config`; both would make every re-plan replace the node group.
NODE_GROUP_IGNORED_ON_EMULATOR = ("remote_access", "update_config")
