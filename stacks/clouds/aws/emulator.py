"""What differs when an environment runs on an AWS API emulator (moto) instead of AWS.

Only environments with ``cloud.endpoint`` set get these; real AWS environments never do.
Each entry is an emulator fidelity gap, kept visible here rather than by dropping the
"second plan shows no changes" check.
"""

from __future__ import annotations

__all__ = ["BUCKET_POLICY_ON_EMULATOR", "NODE_GROUP_IGNORED_ON_EMULATOR"]

# moto reads back a node group it was never given SSH access for with
# `remote_access.ec2_ssh_key = "eksKeypair"` (which forces replacement), and does not store
# `update_config`; both would make every re-plan replace the node group.
NODE_GROUP_IGNORED_ON_EMULATOR = ("remote_access", "update_config")

# moto evaluates bucket policies but ignores their Conditions, so the TLS-only statement
# (Deny s3:* unless aws:SecureTransport) denies every request, over HTTPS too. Emulated
# environments therefore go without it; real ones always have it (synth tests and checkov check).
BUCKET_POLICY_ON_EMULATOR = False
