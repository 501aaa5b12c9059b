"""The platform stack's pieces: pure generators (``gen/``) and the constructs that emit them.

``gen/`` builds every Kubernetes object and Helm release as plain data without importing cdktf,
so ``underlay render`` and ``<env>-platform`` share one source of truth.
"""
