"""``python -m bootstrap.cli``: the ``underlay`` console script without installing the package."""

from __future__ import annotations

from bootstrap.cli import main

__all__: list[str] = []

main()
