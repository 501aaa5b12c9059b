"""Whatever the bytes of an environment file, the answer is a ConfigError or a valid env."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stacks.config import load_environment
from stacks.errors import ConfigError
from tests.support.envs import SAMPLE_ENV_DIR

DEV = (SAMPLE_ENV_DIR / "dev.yaml").read_text()
YAML_BITS = st.sampled_from(
    [
        ":",
        "- ",
        "{",
        "}",
        "[",
        "]",
        "&a",
        "*a",
        "!!str",
        "!tag",
        "? ",
        "|",
        ">",
        "'",
        '"',
        "#",
        "\n",
        "  ",
        "null",
        "~",
        "1e9",
        "0x1F",
        "yes",
        "2020-01-01",
        "extends: dev",
        "cloud:",
        "cluster:",
        "node_groups:",
        "min_size: 3",
        "\t",
        "%YAML 1.2",
        "---",
        "...",
        "<<: *a",
    ]
)


def load_text(tmp: Path, text: str) -> None:
    env_dir = tmp / "environments"
    env_dir.mkdir(exist_ok=True)
    (env_dir / "dev.yaml").write_text(DEV)
    (env_dir / "fuzz.yaml").write_text(text)
    try:
        load_environment("fuzz", env_dir)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message.strip(), "errors are one line"
        assert str(env_dir) in message, "errors name the file"


@settings(max_examples=150)
@given(st.lists(YAML_BITS, max_size=30).map("".join))
def test_yaml_shaped_noise_never_raises_anything_else(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    load_text(tmp_path_factory.mktemp("fuzz"), text)


@settings(max_examples=100)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_anything_else(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    load_text(tmp_path_factory.mktemp("fuzz"), text)


@settings(max_examples=100)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    [
                        "extends",
                        "cloud",
                        "cluster",
                        "node_groups",
                        "general",
                        "min_size",
                        "kind",
                        "region",
                        "tags",
                        "state",
                        "backend",
                    ]
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=15,
    )
)
def test_structured_garbage_never_raises_anything_else(tmp_path_factory, data: object) -> None:  # type: ignore[no-untyped-def]
    import json

    load_text(tmp_path_factory.mktemp("fuzz"), json.dumps(data))  # JSON is YAML
