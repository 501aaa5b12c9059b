"""The CDK app `cdktf synth` / `cdktf deploy` run (see cdktf.json): every environment's stacks.

The CLI passes the output folder as CDKTF_OUTDIR. A bad environment file stops it with one line
and exit status 2, before anything is written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stacks.errors import UnderlayError

ROOT = Path(__file__).resolve().parent


def main() -> None:
    from stacks.app import load_environments, synth
    from stacks.config.paths import DEFAULT_ENV_DIR, ENV_DIR_VARIABLE

    env_dir = Path(os.environ.get(ENV_DIR_VARIABLE, ROOT / DEFAULT_ENV_DIR))
    outdir = Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out")).resolve()
    try:
        envs = load_environments(env_dir)
    except UnderlayError as exc:
        print(f"underlay: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    synth(envs, outdir, ROOT)


if __name__ == "__main__":
    main()
