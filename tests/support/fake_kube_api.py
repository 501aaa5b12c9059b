"""A FAKE Kubernetes API server (not a Kubernetes API server): real HTTP on loopback, serving
the few custom-object reads ``underlay status`` makes, with objects the test puts in.

There is no API server on these machines (no kind, no Docker). This stands in for one so the
status code runs its real ``kubernetes`` client over a real socket: URL paths, JSON bodies and
``Status`` errors as the API server shapes them. Objects are checked against the upstream CRD
schemas by the tests, not here. ``cluster``-marked tests run against a real cluster instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["FakeKubeApi", "fake_kube_api", "flux_instance", "kustomization"]

TOKEN = "fake-kube-token"


@dataclass
class FakeKubeApi:
    port: int
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``/apis/...`` path -> object; lists are served from every object under a plural."""
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)

    @property
    def server(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def put(self, obj: dict[str, Any], plural: str) -> None:
        group, version = obj["apiVersion"].split("/")
        meta = obj["metadata"]
        path = f"/apis/{group}/{version}/namespaces/{meta['namespace']}/{plural}/{meta['name']}"
        self.objects[path] = obj

    def kubeconfig(self, path: Path, context: str = "fake") -> Path:
        path.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": context, "cluster": {"server": self.server}}],
                    "users": [{"name": context, "user": {"token": TOKEN}}],
                    "contexts": [
                        {"name": context, "context": {"cluster": context, "user": context}}
                    ],
                    "current-context": context,
                }
            )
        )
        return path

    def answer(self, path: str, auth: str | None) -> tuple[int, dict[str, Any]]:
        self.requests.append(path)
        if auth != f"Bearer {TOKEN}":
            return 401, _status(401, "Unauthorized", "Unauthorized")
        path = path.split("?", 1)[0]
        if path in self.objects:
            return 200, self.objects[path]
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "apis":  # cluster-wide list: /apis/g/v/plural
            kind_plural = parts[3]
            items = [
                o
                for p, o in sorted(self.objects.items())
                if p.startswith(f"/apis/{parts[1]}/{parts[2]}/") and p.split("/")[-2] == kind_plural
            ]
            return 200, {
                "apiVersion": f"{parts[1]}/{parts[2]}",
                "kind": "List",
                "metadata": {"resourceVersion": "1"},
                "items": items,
            }
        return 404, _status(404, "NotFound", f"{path} not found")


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Status",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@contextmanager
def fake_kube_api() -> Iterator[FakeKubeApi]:
    api = FakeKubeApi(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if api.delay:
                time.sleep(api.delay)
            code, body = api.answer(self.path, self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): what the test wanted

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    api.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _ready(status: str, reason: str, message: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "Ready",
            "status": status,
            "reason": reason,
            "message": message,
            "lastTransitionTime": "2026-11-22T12:00:00Z",
            "observedGeneration": 1,
        }
    ]


_DIGEST = "sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"


def flux_instance(
    namespace: str, *, ready: bool = True, url: str = "https://git.example/m.git"
) -> dict[str, Any]:
    """A FluxInstance as the Flux Operator (fluxcd.controlplane.io/v1) reports it."""
    return {
        "apiVersion": "fluxcd.controlplane.io/v1",
        "kind": "FluxInstance",
        "metadata": {
            "name": "flux",
            "namespace": namespace,
            "generation": 1,
            "uid": "0b5c2c1e-7d3c-4f63-9f4e-2a1c8d7e6f50",
            "resourceVersion": "1001",
            "creationTimestamp": "2026-11-22T11:00:00Z",
        },
        "spec": {
            "distribution": {"version": "2.7.x", "registry": "ghcr.io/fluxcd"},
            "components": ["source-controller", "kustomize-controller"],
            "cluster": {"type": "kubernetes", "networkPolicy": True},
            "sync": {
                "kind": "GitRepository",
                "url": url,
                "ref": "refs/heads/main",
                "path": "clusters/local",
            },
        },
        "status": {
            "conditions": _ready(
                "True" if ready else "False",
                "ReconciliationSucceeded" if ready else "ReconciliationFailed",
                "Reconciliation finished" if ready else "kustomization build failed",
            ),
            # The operator's revisions are the Flux distribution's (version@digest), not the
            # manifest repo's: that one is on the sync Kustomization.
            "lastAppliedRevision": f"v2.7.3@{_DIGEST}",
            "lastAttemptedRevision": f"v2.7.3@{_DIGEST}",
            "lastArtifactRevision": _DIGEST,
        },
    }


def kustomization(
    namespace: str, name: str, revision: str, *, ready: bool = True, source: str = "flux-system"
) -> dict[str, Any]:
    """A Kustomization as kustomize-controller (kustomize.toolkit.fluxcd.io/v1) reports it."""
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "generation": 2,
            "uid": f"5a1d-{name}",
            "resourceVersion": "2002",
            "creationTimestamp": "2026-11-22T11:00:00Z",
        },
        "spec": {
            "interval": "10m",
            "path": f"./clusters/local/{name}",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": source},
        },
        "status": {
            "observedGeneration": 2,
            "conditions": _ready(
                "True" if ready else "False",
                "ReconciliationSucceeded" if ready else "BuildFailed",
                f"Applied revision: {revision}" if ready else "kustomize build failed",
            ),
            "lastAppliedRevision": revision,
            "lastAttemptedRevision": revision,
        },
    }
