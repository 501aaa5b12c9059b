"""The CDK engine: cdktf 0.21 (default) or its maintained fork CDK Terrain (``cdktn``).

HashiCorp archived CDKTF on 2025-12-10; CDK Terrain is API-compatible under another module
name. Everything in ``stacks`` imports the engine from here, so ``UNDERLAY_ENGINE=cdktn``
switches the whole app and nothing else has to know.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

__all__ = ["ENGINE_ENV", "engine", "engine_name"]

ENGINE_ENV = "UNDERLAY_ENGINE"
ENGINES = ("cdktf", "cdktn")

engine_name = os.environ.get(ENGINE_ENV, "cdktf")
if engine_name not in ENGINES:
    raise SystemExit(f"underlay: error: {ENGINE_ENV}={engine_name!r}; expected one of {ENGINES}")


if TYPE_CHECKING:
    import cdktf as engine
else:
    engine = importlib.import_module(engine_name)
