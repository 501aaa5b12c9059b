"""Session-wide fixtures: expensive things (emulators, synth output) are started once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.moto_server import MotoServer, moto_server


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """One moto server for the whole run; tests keep apart by resource names and regions."""
    with moto_server() as server:
        yield server


from tests.support.azurite import Azurite, azurite_server  # noqa: E402


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite blob emulator for the whole run; tests keep apart by container names."""
    with azurite_server() as server:
        yield server
