"""The platform stack's pieces: pure generators (``gen/``) and the constructs that emit them.

``gen/`` builds every Kubernetes object and Helm release as plain data without importing cdktf,
so ``underlay render`` and ``<env>-platform`` share one source of truth.
"""

# Load the config package first: `stacks.clouds.aws.settings` imported on its own would enter
# `stacks.config` half-way (settings -> config.types -> config/__init__ -> model -> settings).
import stacks.config  # noqa: F401
