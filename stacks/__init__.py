"""Environments in, CDK for Terraform stacks out (see docs/architecture.md).

jsii prints a banner on every start under Node 20 (end-of-life), and it starts as soon as any
module imports ``constructs``; setting the silencers here, before any submodule, keeps every
import order quiet. An explicit setting in the environment still wins.
"""

import os

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
