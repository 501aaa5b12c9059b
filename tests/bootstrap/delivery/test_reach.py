"""The decision "plan the platform stack here or not", every branch offline, and the probe
against real local HTTP servers (one answering, one port closed)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bootstrap.delivery.reach import decide, missing_providers, probe_api
from stacks.errors import UnderlayError
from tests.support.ports import free_port

ENDPOINT = "https://api.example.invalid"


def _mirror(tmp_path: Path, *providers: str) -> Path:
    for name in ("hashicorp/aws", *providers):
        (tmp_path / "registry.terraform.io" / name).mkdir(parents=True)
    return tmp_path


def _never(*_args: object) -> Any:
    raise AssertionError("not to be called on this branch")


def _outputs(value: Mapping[str, Any]) -> Any:
    return lambda: value


def test_mirror_without_kubernetes_and_helm_is_not_planned(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path)  # this machine's mirror: AWS only
    reach = decide("a-platform", {"UNDERLAY_TF_PLUGIN_MIRROR": str(mirror)}, _never, _never)
    assert not reach.planned
    assert reach.reason == (
        f"the provider mirror {mirror} has no hashicorp/kubernetes or hashicorp/helm provider"
    )


def test_mirror_missing_only_helm_names_helm(tmp_path: Path) -> None:
    mirror = _mirror(tmp_path, "hashicorp/kubernetes")
    assert missing_providers(mirror) == ["hashicorp/helm"]
    assert missing_providers(None) == []  # registry installs: init reports failures itself


def test_cluster_stack_not_applied_is_not_planned(tmp_path: Path) -> None:
    env = {
        "UNDERLAY_TF_PLUGIN_MIRROR": str(
            _mirror(tmp_path, "hashicorp/kubernetes", "hashicorp/helm")
        )
    }
    reach = decide("a-platform", env, _outputs({}), _never)
    assert not reach.planned
    assert reach.reason == "a-cluster has no cluster_endpoint output yet (not applied here)"


def test_unreadable_cluster_outputs_are_not_planned() -> None:
    def broken() -> Mapping[str, Any]:
        raise UnderlayError("terraform output in x failed: no state")

    reach = decide("a-platform", {}, broken, _never)
    assert not reach.planned
    assert "outputs of a-cluster could not be read (terraform output in x failed" in reach.reason


def test_silent_api_is_not_planned_and_the_probe_gets_endpoint_and_ca() -> None:
    seen: list[tuple[str, str | None]] = []

    def probe(endpoint: str, ca: str | None) -> str | None:
        seen.append((endpoint, ca))
        return "timed out"

    outputs = {"cluster_endpoint": ENDPOINT, "cluster_ca_data": "Q0E="}
    reach = decide("a-platform", {}, _outputs(outputs), probe)
    assert seen == [(ENDPOINT, "Q0E=")]
    assert not reach.planned
    assert reach.reason == f"the cluster API at {ENDPOINT} does not answer (timed out)"


def test_answering_api_with_providers_is_planned() -> None:
    reach = decide("a-platform", {}, _outputs({"cluster_endpoint": ENDPOINT}), lambda *_: None)
    assert reach.planned
    assert reach.reason == f"the cluster API at {ENDPOINT} answers"


@pytest.mark.parametrize(
    ("value", "planned", "reason"),
    [
        ("1", True, "UNDERLAY_PLAN_PLATFORM=1"),
        ("0", False, "UNDERLAY_PLAN_PLATFORM=0 turns platform plans off"),
        ("yes", False, "UNDERLAY_PLAN_PLATFORM='yes' is not 1, 0 or auto; not planned"),
    ],
)
def test_override_decides_without_probing(value: str, planned: bool, reason: str) -> None:
    reach = decide("a-platform", {"UNDERLAY_PLAN_PLATFORM": value}, _never, _never)
    assert (reach.planned, reason) == (planned, reach.reason)


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401 if self.path == "/version" else 404)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_probe_counts_an_http_error_as_an_answer(api: str) -> None:
    assert probe_api(api, None) is None


def test_probe_reports_a_closed_port() -> None:
    why = probe_api(f"http://127.0.0.1:{free_port()}", None, timeout=2)
    assert why is not None
    assert "refused" in why.lower()


def test_probe_reports_unusable_ca_data_before_connecting() -> None:
    why = probe_api(ENDPOINT, "bm90IGEgY2VydA==")  # base64 of "not a cert"
    assert why is not None
    assert why.startswith("unusable cluster_ca_data")
