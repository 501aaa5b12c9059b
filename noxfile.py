"""CI entry points. `nox -s demo` and `nox -s tests` set up everything they need themselves:
a virtualenv pinned by constraints.txt, the Node tools from package-lock.json, checkov in a
venv of its own, and the offline Terraform provider mirror when this machine has one."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".nox" / "_tools"
CHECKOV = "checkov==3.3.30"
# The kubernetes/helm/azurerm provider schemas for the tests: the prebuilt CDKTF bindings' jsii
# assemblies (read as JSON, never imported). Same pins as tests/support/provider_schema.py.
PROVIDER_WHEELS = (
    "cdktf-cdktf-provider-kubernetes==12.1.1",
    "cdktf-cdktf-provider-helm==12.1.2",
    "cdktf-cdktf-provider-azurerm==14.23.1",
)
MIRROR_ENV = "UNDERLAY_TF_PLUGIN_MIRROR"
MIRROR_CANDIDATES = ("/opt/tf-plugins", "~/.terraform.d/plugins", "/usr/share/terraform/plugins")
QUIET_NODE = {
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "CHECKPOINT_DISABLE": "1",
}


def install_project(session: nox.Session, extras: str = "test") -> None:
    """Install underlay and its extras with every transitive version pinned by constraints.txt."""
    session.install("-c", "constraints.txt", "-e", f".[{extras}]")


def node_tools(session: nox.Session) -> None:
    """The cdktf CLI and Azurite, exactly as package-lock.json pins them, into node_modules/."""
    if not (ROOT / "node_modules" / ".package-lock.json").exists():
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


def provider_mirror_env() -> dict[str, str]:
    """Point Terraform at an offline provider mirror: $UNDERLAY_TF_PLUGIN_MIRROR or a known one."""
    if os.environ.get(MIRROR_ENV):
        return {MIRROR_ENV: os.environ[MIRROR_ENV]}
    for candidate in MIRROR_CANDIDATES:
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io").is_dir():
            return {MIRROR_ENV: str(path)}
    return {}


def checkov_tool(session: nox.Session) -> str:
    """checkov pins its own dependency tree, so it lives in a venv of its own."""
    venv = TOOLS / "checkov"
    exe = venv / "bin" / "checkov"
    if not exe.exists():
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
        session.run(
            str(venv / "bin" / "pip"),
            "install",
            "-q",
            "-c",
            "requirements/checkov.txt",
            CHECKOV,
            external=True,
        )
    return str(exe)


def provider_wheels(session: nox.Session) -> str:
    """Download (no install, no dependencies) the wheels whose jsii carries the schemas."""
    folder = TOOLS / "provider-wheels"
    if len(list(folder.glob("*.whl"))) < len(PROVIDER_WHEELS):
        session.run("pip", "download", "--no-deps", "-q", "-d", str(folder), *PROVIDER_WHEELS)
    return str(folder)


@nox.session
def lint(session: nox.Session) -> None:
    install_project(session, "test,dev,cdktn")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Every test: config, synth, schema, validate, checkov, engines, deploy, git, backup."""
    install_project(session, "test,dev,cdktn")
    node_tools(session)
    # The quality gates run here too, so CI (which runs this session) enforces them.
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    env = {
        **QUIET_NODE,
        **provider_mirror_env(),
        "UNDERLAY_CHECKOV": checkov_tool(session),
        "UNDERLAY_PROVIDER_WHEELS": provider_wheels(session),
    }
    session.run("pytest", *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Synth speed and memory against the floor and the prebuilt provider bindings."""
    install_project(session, "test")
    session.install(
        "-c",
        "constraints.txt",
        "cdktf-cdktf-provider-aws==21.22.1",
        *PROVIDER_WHEELS,  # kubernetes and helm, the same pins the schema tests read
    )
    session.run("python", "-m", "benchmarks.synth_bench", env=QUIET_NODE)
    # The PR loop: affected vs one synth, plan vs raw terraform (needs the provider mirror).
    session.run(
        "python", "-m", "benchmarks.delivery_bench", env={**QUIET_NODE, **provider_mirror_env()}
    )


@nox.session(name="bench-backup")
def bench_backup(session: nox.Session) -> None:
    """Backup vs raw clone+bundle+upload on a generated repo; rewrites docs/performance.md's
    "## Backup benchmark" section. Not a timed test. Options after `--`: --commits, --blob-mib,
    --rounds, --no-docs."""
    install_project(session, "test")
    session.run("python", "-m", "benchmarks.backup_bench", *session.posargs)


@nox.session
def engines(session: nox.Session) -> None:
    """cdktf 0.21 and CDK Terrain (cdktn) synthesize the same JSON."""
    install_project(session, "test,cdktn")
    session.run("pytest", "tests/stacks/test_engines.py", env=QUIET_NODE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@nox.session
def demo(session: nox.Session) -> None:
    """The main job on the embedded `local` environment, against an AWS emulator on loopback:
    `cdktf deploy local-cluster`, a manifest repo bootstrapped from its outputs, and a backup of
    that repo into the bucket the deploy created: run, verify, restore."""
    install_project(session, "test")
    node_tools(session)
    work = ROOT / ".underlay" / "demo"
    work.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **QUIET_NODE,
        **provider_mirror_env(),
        "UNDERLAY_AWS_ENDPOINT": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    # The mirror config the tests use (stacks.terraform_runner imports nothing third-party).
    sys.path.insert(0, str(ROOT))
    from stacks.terraform_runner import terraform_environment

    env = terraform_environment({**os.environ, **env}, ROOT / ".underlay")
    python = str(Path(session.bin) / "python")
    session.log(f"starting the AWS emulator (moto server) on {env['UNDERLAY_AWS_ENDPOINT']}")
    with open(work / "moto.log", "w") as log:
        moto = subprocess.Popen(
            [python, "-m", "tests.support.moto_server", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            _wait_for(port)
            outputs = _deploy_local_cluster(session, env, work)
            _summarize_local_platform(session)
            repo = _bootstrap_manifest_repo(session, env, work, outputs)
            _backup_round_trip(session, env, work, repo, outputs)
        finally:
            moto.terminate()
            moto.wait(timeout=10)
            session.log("stopped the AWS emulator")


def _deploy_local_cluster(session: nox.Session, env: dict[str, str], work: Path) -> Path:
    """`underlay plan local` (its summary.md is what a reviewer reads), then `underlay apply
    local --plan` of exactly that plan; `underlay synth local` for the platform summary."""
    # A new emulator holds nothing: state from an earlier demo would describe ghosts.
    shutil.rmtree(ROOT / "terraform-state", ignore_errors=True)
    plan_dir = work / "plan"
    session.run("underlay", "plan", "local", "--out", str(plan_dir), env=env, silent=True)
    print((plan_dir / "summary.md").read_text())
    session.run("underlay", "apply", "local", "--plan", str(plan_dir), env=env)
    session.run("underlay", "synth", "local", env=env, silent=True)
    outputs = plan_dir / "outputs.json"
    session.log("local-cluster outputs:")
    for key, value in json.loads(outputs.read_text())["local-cluster"].items():
        text = str(value)
        print(f"  {key:<18} {text if len(text) < 80 else f'{text[:60]}… ({len(text)} chars)'}")
    return outputs


def _summarize_local_platform(session: nox.Session) -> None:
    """local-platform was synthesized by the same deploy run (one app, all stacks); it is not
    applied: it needs a Kubernetes API server, which the emulator does not have."""
    session.run(
        "python",
        "-c",
        "from pathlib import Path; from stacks.platform.summary import platform_summary; "
        "print(platform_summary('local', synth_dir=Path('cdktf.out')))",
        env=QUIET_NODE,
    )


def _bootstrap_manifest_repo(
    session: nox.Session, env: dict[str, str], work: Path, outputs: Path
) -> Path:
    """A fresh bare manifest repo laid out for `local` from the deploy's outputs."""
    shutil.rmtree(work / "gitops", ignore_errors=True)
    session.log("underlay bootstrap local --repo .underlay/demo/gitops/manifests.git --outputs …")
    session.run(
        "python",
        "-c",
        "import sys; from pathlib import Path; "
        "from bootstrap.gitops.operations import demo_local_repo; "
        "out = demo_local_repo(Path(sys.argv[1]), Path('environments'), Path(sys.argv[2])); "
        "print(out, end='')",
        str(work / "gitops"),
        str(outputs),
        env=env,
    )
    return work / "gitops" / "manifests.git"


def _backup_round_trip(
    session: nox.Session, env: dict[str, str], work: Path, repo: Path, outputs: Path
) -> None:
    """Back the manifest repo up into the bucket the deploy created, verify it, restore it."""
    target = json.loads(outputs.read_text())["local-cluster"]["backup_target"]
    restored = work / "restored-manifests.git"
    shutil.rmtree(restored, ignore_errors=True)
    s3 = {**env, "UNDERLAY_S3_ENDPOINT": env["UNDERLAY_AWS_ENDPOINT"]}
    session.run("underlay", "backup", "run", "--repo", str(repo), "--to", target, env=s3)
    session.run("underlay", "backup", "verify", "--from", target, env=s3)
    session.run("underlay", "restore", "--from", target, "--to", str(restored), env=s3)
    refs = subprocess.run(
        ["git", "--git-dir", str(restored), "show-ref"], capture_output=True, text=True, check=True
    ).stdout
    session.log(f"restored {restored.relative_to(ROOT)}:\n{refs}")


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the emulator did not answer on port {port}")


# --- The PR loop for the user's CI (docs/delivery.md); arguments go through as posargs. ---


def _underlay(session: nox.Session, command: str) -> None:
    session.install("-c", "constraints.txt", "-e", ".")
    session.run("underlay", command, *session.posargs, env={**QUIET_NODE, **provider_mirror_env()})


@nox.session
def plan(session: nox.Session) -> None:
    """Saved plans + summary.md: `nox -s plan -- --base origin/main --out plans`."""
    _underlay(session, "plan")


@nox.session
def apply(session: nox.Session) -> None:
    """Apply exactly the saved plans: `nox -s apply -- staging --plan plans`."""
    _underlay(session, "apply")


@nox.session
def deliver(session: nox.Session) -> None:
    """Envs to plan/apply for a CI event: `nox -s deliver -- --event tag --ref prod-1`."""
    _underlay(session, "deliver")
