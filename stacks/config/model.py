"""The typed environment: what every construct reads, never raw YAML.

Each default lives here, once, next to the field it belongs to.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from stacks.clouds.aws.settings import AwsSettings
from stacks.clouds.aws.state import S3State
from stacks.clouds.azure.settings import AzureSettings
from stacks.clouds.azure.state import AzurermState
from stacks.config.delivery import DeliverySettings
from stacks.config.platform import BackupJobSettings, DrillSettings, PlatformSettings, Versions
from stacks.config.signing import BackupSigning
from stacks.config.types import Cidr, Duration, Frozen, Name

__all__ = [
    "BackupSettings",
    "CloudSettings",
    "ClusterSettings",
    "Environment",
    "GitOpsSettings",
    "LocalState",
    "NodeGroup",
    "StateSettings",
    "Taint",
]

# One member per cloud module; the ``kind`` key picks it. Adding a cloud adds a member here.
CloudSettings = Annotated[AwsSettings | AzureSettings, Field(discriminator="kind")]


class Taint(Frozen):
    key: str = Field(min_length=1)
    value: str = ""
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]


class NodeGroup(Frozen):
    instance_types: tuple[str, ...] = Field(min_length=1, strict=False)
    min_size: int = Field(ge=0)
    max_size: int = Field(ge=1)
    desired_size: int = Field(ge=0)
    disk_size_gb: int = Field(50, ge=20, le=16384)
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    labels: dict[str, str] = Field(default_factory=dict)
    taints: tuple[Taint, ...] = Field((), strict=False)


class ClusterSettings(Frozen):
    kubernetes_version: str = Field("1.33", pattern=r"^1\.\d{2}$")
    endpoint_public_access: bool = Field(
        False, description="Expose the API server publicly (to public_access_cidrs only)."
    )
    public_access_cidrs: tuple[Cidr, ...] = Field((), strict=False)
    node_groups: dict[Name, NodeGroup] = Field(min_length=1)


class BackupSettings(Frozen):
    prefix: str = Field("manifest-repo", pattern=r"^[a-z0-9][a-z0-9._/-]*[a-z0-9]$")
    retention_days: int = Field(30, ge=1, le=3650)
    namespace: Name = "underlay-backup"
    service_account: Name = "repo-backup"
    job: BackupJobSettings = BackupJobSettings()
    drill: DrillSettings = DrillSettings()
    signing: BackupSigning | None = Field(
        None,
        description="Sign each backup's manifest with a key outside the store; the jobs pass "
        "it as --signing-key. None: unsigned (sha256 detects corruption, not forgery).",
    )


class LocalState(Frozen):
    backend: Literal["local"]
    directory: str = Field(
        "terraform-state", description="Relative to the project root; one file per stack."
    )

    def backend_config(self, stack_name: str, project_root: str) -> dict[str, Any]:
        """The ``local`` backend's settings; ``project_root`` is relative to the synth folder."""
        return {"path": f"{project_root}/{self.directory}/{stack_name}.tfstate"}


# One member per state backend; each says its own backend settings (``backend_config``).
StateSettings = Annotated[LocalState | S3State | AzurermState, Field(discriminator="backend")]


class GitOpsSettings(Frozen):
    repo: str = Field("", description="Manifest repo URL Flux syncs from; '' until one exists.")
    branch: str = Field("main", min_length=1)
    path: str | None = Field(None, description="Defaults to clusters/<env>.")
    interval: Duration = "10m"


class Environment(Frozen):
    name: Name
    description: str = ""
    prefix: Name = Field("ul", description="First part of every cloud resource name.")
    tags: dict[str, str] = Field(default_factory=dict)
    cloud: CloudSettings
    cluster: ClusterSettings
    backup: BackupSettings = BackupSettings()
    state: StateSettings = LocalState(backend="local")
    gitops: GitOpsSettings = GitOpsSettings()
    platform: PlatformSettings = PlatformSettings()
    versions: Versions = Versions()
    delivery: DeliverySettings = DeliverySettings()

    @property
    def cluster_name(self) -> str:
        """``<prefix>-<env>``: Kubestack names clusters this way, minus the region suffix."""
        return f"{self.prefix}-{self.name}"

    @property
    def gitops_path(self) -> str:
        return self.gitops.path or f"clusters/{self.name}"
