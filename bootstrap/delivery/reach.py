"""Whether ``underlay plan`` can plan an environment's platform stack here, and if not, why.

Terraform can plan ``<env>-platform`` only where (1) the kubernetes and helm providers can be
installed, and (2) the cluster the stack's providers point at answers. (1): when a provider
mirror is configured (``UNDERLAY_TF_PLUGIN_MIRROR``) it must hold ``hashicorp/kubernetes`` and
``hashicorp/helm``; without a mirror Terraform installs from the registry and ``init`` reports a
failure itself. (2): the stack's providers read ``cluster_endpoint`` / ``cluster_ca_data`` from
the cluster stack's outputs, so the probe asks that endpoint (``GET /version``, TLS verified
against that CA, no credentials sent); any HTTP answer, even 401/403, means reachable.

``UNDERLAY_PLAN_PLATFORM`` overrides the decision: ``1`` plans without probing (the caller knows
the cluster is there, e.g. behind a proxy), ``0`` never plans. Unset (or ``auto``): decide.

Pure where it can be: :func:`decide` takes the facts and a probe function, so every branch is
tested offline; :func:`probe_api` is the one piece that touches the network.
"""

from __future__ import annotations

import base64
import binascii
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.errors import UnderlayError
from stacks.terraform_runner import MIRROR_ENV

__all__ = [
    "OVERRIDE_ENV",
    "PLATFORM_PROVIDERS",
    "Reach",
    "decide",
    "missing_providers",
    "probe_api",
]

OVERRIDE_ENV = "UNDERLAY_PLAN_PLATFORM"
PLATFORM_PROVIDERS = ("hashicorp/kubernetes", "hashicorp/helm")
PROBE_TIMEOUT_S = 5.0

Probe = Callable[[str, str | None], str | None]
"""(endpoint, base64 CA or None) -> None when the API answered, else why not (one phrase)."""


@dataclass(frozen=True)
class Reach:
    """``planned``: plan the stack with Terraform; otherwise ``reason`` says why not."""

    planned: bool
    reason: str


def missing_providers(mirror: Path | None) -> list[str]:
    """The platform providers the configured mirror lacks (none without a mirror)."""
    if mirror is None:
        return []
    return [p for p in PLATFORM_PROVIDERS if not (mirror / "registry.terraform.io" / p).is_dir()]


def decide(
    stack: str,
    environ: Mapping[str, str],
    cluster_outputs: Callable[[], Mapping[str, Any]],
    probe: Probe,
) -> Reach:
    """Plan ``stack`` (an ``<env>-platform``) or not. ``cluster_outputs`` is called only when the
    providers are there (it inits the cluster stack, which costs a Terraform run)."""
    forced = _override(environ.get(OVERRIDE_ENV, "auto"))
    if forced is not None:
        return forced
    mirror = environ.get(MIRROR_ENV)
    missing = missing_providers(Path(mirror) if mirror else None)
    if missing:
        return Reach(
            False,
            f"the provider mirror {mirror} has no {' or '.join(missing)} provider",
        )
    cluster = stack.removesuffix("-platform") + "-cluster"
    try:
        outputs = cluster_outputs()
    except UnderlayError as exc:
        return Reach(False, f"the outputs of {cluster} could not be read ({exc})")
    endpoint = outputs.get("cluster_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith("https://"):
        return Reach(False, f"{cluster} has no cluster_endpoint output yet (not applied here)")
    ca = outputs.get("cluster_ca_data")
    why = probe(endpoint, ca if isinstance(ca, str) and ca else None)
    if why is not None:
        return Reach(False, f"the cluster API at {endpoint} does not answer ({why})")
    return Reach(True, f"the cluster API at {endpoint} answers")


def _override(value: str) -> Reach | None:
    if value == "auto":
        return None
    if value == "1":
        return Reach(True, f"{OVERRIDE_ENV}=1")
    if value == "0":
        return Reach(False, f"{OVERRIDE_ENV}=0 turns platform plans off")
    return Reach(False, f"{OVERRIDE_ENV}={value!r} is not 1, 0 or auto; not planned")


def probe_api(endpoint: str, ca_data: str | None, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """``GET <endpoint>/version``; None when any HTTP answer came back, else why not."""
    context = ssl.create_default_context()
    if ca_data:
        try:
            context.load_verify_locations(cadata=base64.b64decode(ca_data).decode("ascii"))
        except (binascii.Error, UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            return f"unusable cluster_ca_data: {exc}"
    request = urllib.request.Request(endpoint.rstrip("/") + "/version", method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context):
            return None
    except urllib.error.HTTPError:
        return None  # the API server answered (401/403 without credentials is an answer)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return str(reason) or type(exc).__name__
