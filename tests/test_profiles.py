"""The profile machinery: validation, coercion of papermill strings, clear errors."""

from dataclasses import dataclass

import pytest

from modscale.infra.profiles import (
    PROFILE_NAMES,
    ConfigError,
    chapters,
    config_hash,
    describe,
    field,
    get_config,
    register,
    resolve_params,
)


@dataclass(frozen=True)
class _Toy:
    seed: int = field(0, help="seed", min=0)
    n: int = field(10, help="samples", min=1)
    widths: tuple = field((8, 32), help="widths", min=1)
    lr: float = field(0.01, help="learning rate", min=0.0)
    kernel: str = field("rbf", help="kernel", choices=("rbf", "ntk"))
    flag: bool = field(False, help="a flag")

    def validate(self) -> None:
        if self.n < len(self.widths):
            raise ConfigError("parameter 'n' must be >= len(widths)")


register("_toy", _Toy, {"smoke": {"n": 5}, "book": {}, "paper": {"n": 1000}})


def test_profiles_apply_defaults_and_overrides():
    assert get_config("_toy", "smoke").n == 5
    assert get_config("_toy", "book").n == 10
    assert get_config("_toy", "paper", n=7).n == 7


@pytest.mark.parametrize("bad, name", [
    ({"n": 0}, "'n'"), ({"n": -3}, "'n'"), ({"widths": (8, 0)}, "'widths'"),
    ({"kernel": "poly"}, "'kernel'"), ({"lr": -1.0}, "'lr'"), ({"n": "abc"}, "'n'"),
    ({"nope": 1}, "'nope'"), ({"widths": ()}, "'widths'"), ({"n": 1.5}, "'n'"),
])
def test_bad_values_name_the_parameter(bad, name):
    with pytest.raises(ConfigError, match=name):
        get_config("_toy", "book", **bad)


def test_unknown_profile_and_chapter():
    with pytest.raises(ConfigError, match="allowed values: smoke, book, paper"):
        get_config("_toy", "huge")
    with pytest.raises(ConfigError, match="unknown chapter"):
        get_config("nochapter", "smoke")


def test_cross_field_validation():
    with pytest.raises(ConfigError, match="'n'"):
        get_config("_toy", "book", n=1)


def test_papermill_strings_are_coerced():
    cfg = get_config("_toy", "book", n="12", widths="[8, 16]", lr="0.1", flag="True")
    assert cfg.n == 12 and cfg.widths == (8, 16) and cfg.lr == 0.1 and cfg.flag is True
    assert get_config("_toy", "book", lr=1).lr == 1.0


def test_resolve_params_ignores_none():
    assert resolve_params("_toy", "smoke", n=None, lr=None).n == 5


def test_config_hash_is_stable_and_sensitive():
    a, b = get_config("_toy", "book"), get_config("_toy", "book", n=11)
    assert config_hash(a) == config_hash(get_config("_toy", "book"))
    assert config_hash(a) != config_hash(b)


def test_every_registered_chapter_validates_in_every_profile():
    names = [c for c in chapters() if not c.startswith("_")]
    for chapter in names:
        for profile in PROFILE_NAMES:
            get_config(chapter, profile)
        rows = describe(chapter)
        assert rows and all(r["help"] for r in rows), f"{chapter}: every parameter needs help"
