"""Run profiles: the single source of truth for every chapter's parameters.

Each chapter has a frozen dataclass of parameters (in ``modscale/profiles/<chapter>.py``) and
three named profiles:

- ``smoke``: seconds to a few minutes on 2 CPU cores (CI, nbval).
- ``book``: the default CPU book (whole book in about an hour on 2 cores).
- ``paper``: paper scale, meant for a GPU.

Use :func:`get_config` (or :func:`resolve_params` from a notebook's papermill parameters):

>>> cfg = get_config("theory", "smoke", mc_trials=10)

Every value is validated; a bad one raises :class:`ConfigError` naming the parameter and the
allowed values.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROFILE_NAMES = ("smoke", "book", "paper")


class ConfigError(ValueError):
    """A chapter parameter or profile name is invalid (the message names it)."""


def field(default: Any, *, help: str, min: float | None = None, max: float | None = None,
          choices: tuple | None = None, empty_ok: bool = False) -> Any:
    """A dataclass field with validation metadata.

    ``min``/``max`` bound a number, or every element of a tuple of numbers; ``choices`` restricts
    a value (or every element of a tuple) to a set; a tuple may be empty only if ``empty_ok``.
    """
    meta = {"help": help, "min": min, "max": max, "choices": choices, "empty_ok": empty_ok}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use tuples for sequence defaults (configs are frozen and hashable)")
    return dataclasses.field(default=default, metadata=meta)


_REGISTRY: dict[str, tuple[type, dict[str, dict[str, Any]]]] = {}


def register(chapter: str, cls: type, profiles: Mapping[str, Mapping[str, Any]]) -> None:
    """Register a chapter's parameter dataclass and its per-profile overrides of the defaults."""
    missing = set(PROFILE_NAMES) - set(profiles)
    if missing:
        raise TypeError(f"chapter {chapter!r} lacks profiles {sorted(missing)}")
    _REGISTRY[chapter] = (cls, {k: dict(v) for k, v in profiles.items()})


def _ensure_loaded() -> None:
    # Import every per-chapter module in this package so that each registers itself.
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")


def chapters() -> tuple[str, ...]:
    _ensure_loaded()
    return tuple(sorted(_REGISTRY))


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Coerce papermill-style values (strings from ``-p``) to the type of the default."""
    if isinstance(value, str) and not isinstance(default, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ConfigError(f"parameter {name!r}: cannot parse {value!r} "
                              f"(expected a value like {default!r})") from None
    if isinstance(default, tuple) and isinstance(value, (list, tuple)):
        value = tuple(value)
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(default, tuple) and isinstance(value, tuple) and default:
        if isinstance(default[0], float):
            value = tuple(float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                          for v in value)
    return value


def check_choice(name: str, value: Any, allowed: tuple) -> None:
    """Raise :class:`ConfigError` naming ``name`` and the allowed values unless ``value`` is one."""
    if value not in allowed:
        raise ConfigError(f"parameter {name!r}: {value!r} is not allowed; "
                          f"allowed values: {', '.join(map(repr, allowed))}")


def _check(name: str, value: Any, f: dataclasses.Field) -> None:
    meta = f.metadata
    default = f.default
    expected = type(default)
    if default is not None and not isinstance(value, expected) and not (
            expected is float and isinstance(value, int) and not isinstance(value, bool)):
        raise ConfigError(f"parameter {name!r} must be of type {expected.__name__}, "
                          f"got {value!r}")
    if isinstance(default, bool) or value is None:
        return
    items = value if isinstance(value, tuple) else (value,)
    if isinstance(value, tuple) and len(value) == 0 and not meta.get("empty_ok"):
        raise ConfigError(f"parameter {name!r} must not be empty")
    for v in items:
        if meta.get("choices") is not None:
            check_choice(name, v, meta["choices"])
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if meta.get("min") is not None and v < meta["min"]:
                raise ConfigError(f"parameter {name!r}: {v!r} is below the minimum "
                                  f"{meta['min']!r} (allowed: {_allowed(meta)})")
            if meta.get("max") is not None and v > meta["max"]:
                raise ConfigError(f"parameter {name!r}: {v!r} is above the maximum "
                                  f"{meta['max']!r} (allowed: {_allowed(meta)})")


def _allowed(meta: Mapping[str, Any]) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None and hi is not None:
        return f"{lo} <= value <= {hi}"
    if lo is not None:
        return f"value >= {lo}"
    return f"value <= {hi}"


def get_config(chapter: str, profile: str = "smoke", /, **overrides: Any) -> Any:
    """Return the validated parameter dataclass of ``chapter`` at ``profile`` with overrides.

    Raises :class:`ConfigError` for an unknown chapter, profile or parameter, or a bad value.
    """
    _ensure_loaded()
    if chapter not in _REGISTRY:
        raise ConfigError(f"unknown chapter {chapter!r}; allowed: {', '.join(sorted(_REGISTRY))}")
    if profile not in PROFILE_NAMES:
        raise ConfigError(f"parameter 'profile': unknown profile {profile!r}; "
                          f"allowed values: {', '.join(PROFILE_NAMES)}")
    cls, profiles = _REGISTRY[chapter]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {**profiles[profile]}
    for name, value in overrides.items():
        if name not in fields:
            raise ConfigError(f"unknown parameter {name!r} for chapter {chapter!r}; "
                              f"allowed: {', '.join(sorted(fields))}")
        values[name] = value
    for name in list(values):
        values[name] = _coerce(name, values[name], fields[name].default)
        _check(name, values[name], fields[name])
    cfg = cls(**values)
    post = getattr(cfg, "validate", None)
    if post is not None:
        post()
    return cfg


def resolve_params(chapter: str, profile: str, **given: Any) -> Any:
    """Like :func:`get_config`, ignoring parameters left at ``None`` (papermill's "unset")."""
    return get_config(chapter, profile, **{k: v for k, v in given.items() if v is not None})


NOTEBOOK_PARAMETERS = {
    "profile": ("str", '"smoke"', "profile: smoke, book or paper (every other parameter defaults "
                "to its value in this profile)"),
    "device": ("str", '"auto"', "auto (CUDA if available, else CPU), cpu, cuda or cuda:N"),
}
"""Parameters every chapter takes besides its dataclass fields: (type, default, help)."""

_NOT_PARAMETERS = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


def notebook_config(chapter: str, namespace: Mapping[str, Any]) -> Any:
    """The validated config of a chapter from the names its parameters cell (and papermill's
    injected cell) defined in ``namespace`` (a notebook's ``globals()``).

    Call it in the cell right after the ``parameters`` cell, before any heavy import: every
    public, non-callable, non-module name in ``namespace`` must be a field of the chapter's
    dataclass or one of :data:`NOTEBOOK_PARAMETERS`; anything else (a misspelled ``-p`` name)
    raises :class:`ConfigError` naming it and listing the valid names. ``None`` means "the
    profile's value".
    """
    import types

    _ensure_loaded()
    if chapter not in _REGISTRY:
        raise ConfigError(f"unknown chapter {chapter!r}; allowed: {', '.join(sorted(_REGISTRY))}")
    cls, _ = _REGISTRY[chapter]
    fields = [f.name for f in dataclasses.fields(cls)]
    given = {k: v for k, v in namespace.items()
             if not k.startswith("_") and k not in _NOT_PARAMETERS
             and not isinstance(v, types.ModuleType) and not callable(v)}
    unknown = sorted(set(given) - set(fields) - set(NOTEBOOK_PARAMETERS))
    if unknown:
        raise ConfigError(f"unknown parameter(s) {', '.join(map(repr, unknown))} for chapter "
                          f"{chapter!r}; valid names: "
                          f"{', '.join([*NOTEBOOK_PARAMETERS, *fields])}")
    profile = given.get("profile", "smoke")
    device = given.get("device", "auto")
    if not isinstance(device, str):
        raise ConfigError(f"parameter 'device': {device!r} is not allowed; allowed values: "
                          "'auto', 'cpu', 'cuda', 'cuda:N'")
    overrides = {k: given[k] for k in fields if k in given and given[k] is not None}
    cfg = resolve_params(chapter, profile, **overrides)
    publish_parameters(chapter, profile, overrides)
    return cfg


def upstream_dir() -> Path:
    """Where chapters publish the parameters they ran with: ``$MODSCALE_UPSTREAM_DIR``, else
    ``upstream/`` in the result cache (:func:`modscale.infra.cache.cache_dir`)."""
    env = os.environ.get("MODSCALE_UPSTREAM_DIR")
    if env:
        return Path(env)
    # cache_dir()'s rule, spelled out: modscale.infra.cache imports this module
    cache = os.environ.get("MODSCALE_CACHE_DIR")
    return (Path(cache) if cache else Path(__file__).resolve().parents[4] / ".cache" / "modscale"
            ) / "upstream"


def publish_parameters(chapter: str, profile: str, overrides: Mapping[str, Any]) -> Path:
    """Record that ``chapter`` last ran at ``profile`` with ``overrides`` (its ``-p`` values),
    for the chapters that use its results (:func:`upstream_config`). :func:`notebook_config`
    calls it, so every executed chapter publishes."""
    path = upstream_dir() / profile / f"{chapter}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"chapter": chapter, "profile": profile,
                                "overrides": {k: _jsonable(v) for k, v in overrides.items()}},
                               indent=1, sort_keys=True))
    return path


def upstream_config(chapter: str, profile: str) -> tuple[Any, dict[str, Any]]:
    """``(config, overrides)`` of an upstream ``chapter`` as it last ran at ``profile``: its
    profile's values with the ``-p`` overrides it published (:func:`publish_parameters`); the
    profile's values alone (``{}``) when it has not run at that profile. A downstream chapter
    calls this instead of :func:`get_config` for another chapter, so an override of the
    upstream chapter reaches it."""
    path = upstream_dir() / profile / f"{chapter}.json"
    overrides = json.loads(path.read_text())["overrides"] if path.exists() else {}
    return get_config(chapter, profile, **overrides), overrides


def parameters_cell(chapter: str) -> str:
    """The source of the chapter's ``parameters`` cell, generated from its dataclass.

    One line per parameter, ``name: type = None  # help [smoke: value; book: value]``, which
    ``papermill --help-notebook`` shows as the parameter's type, description and its values at
    the smoke and book profiles (``None`` in the cell means "the profile's value";
    ``tools/sync_parameters.py`` writes it into ``book/<chapter>.py``; a test checks that the two
    agree). Papermill skips a line with more than one ``=``, so an ``=`` in a help text or value
    is written as the look-alike ``＝`` (and ``<=``, ``>=`` as ``≤``, ``≥``).
    """
    _ensure_loaded()
    cls, _ = _REGISTRY[chapter]
    lines = [f"{name}: {typ} = {default}  # {help_}"
             for name, (typ, default, help_) in NOTEBOOK_PARAMETERS.items()]
    values = {p: get_config(chapter, p) for p in ("smoke", "book")}
    for f in dataclasses.fields(cls):
        shown = "; ".join(f"{p}: {getattr(values[p], f.name)!r}" for p in values)
        help_ = _no_equals(f"{' '.join(str(f.metadata.get('help', '')).split())} [{shown}]")
        lines.append(f"{f.name}: {type(f.default).__name__} = None  # {help_}")
    return "\n".join(lines) + "\n"


def _no_equals(text: str) -> str:
    """``text`` without ASCII ``=`` (see :func:`parameters_cell`)."""
    return text.replace("<=", "≤").replace(">=", "≥").replace("!=", "≠").replace("=", "＝")


def describe(chapter: str) -> list[dict[str, Any]]:
    """One row per parameter: name, help, and its value in each profile (for docs/tables)."""
    _ensure_loaded()
    cls, _ = _REGISTRY[chapter]
    by_profile = {p: get_config(chapter, p) for p in PROFILE_NAMES}
    return [{"parameter": f.name, "help": f.metadata.get("help", ""),
             **{p: getattr(by_profile[p], f.name) for p in PROFILE_NAMES}}
            for f in dataclasses.fields(cls)]


OMIT_AT_DEFAULT = "omit_at_default"
"""Metadata flag of a spec field added after results were stored: at its default value (the one
that reproduces the stored numbers) the field is left out of the canonical form, so adding a knob
changes no key and no derived seed (:func:`extension_field`)."""


def extension_field(default: Any, help: str = "") -> Any:
    """A dataclass field whose default reproduces what was computed before it existed: left out
    of :func:`config_dict` (hence of every cache key and :func:`config_hash`) at that default."""
    return dataclasses.field(default=default, metadata={OMIT_AT_DEFAULT: True, "help": help})


KEY_NAME = "key_name"
"""Metadata: the name a spec field has in the canonical form (the stored name of a field that
was renamed in code after results were stored under the old one; :func:`renamed_field`)."""

FLATTEN = "flatten"
"""Metadata: a field holding a nested spec dataclass whose fields appear at the top level of the
canonical form (:func:`flat_field`), e.g. the sine task's knobs inside a stack spec."""


def renamed_field(default: Any = dataclasses.MISSING, *, key: str, help: str = "") -> Any:
    """A spec field whose Python name is the concept's one name while its canonical form keeps
    the name ``key`` that stored results were keyed under (a rename without a re-key)."""
    return dataclasses.field(default=default, metadata={KEY_NAME: key, "help": help})


def flat_field(cls: type, help: str = "") -> Any:
    """A field holding a ``cls`` spec (default: ``cls()``) flattened into the parent's canonical
    form: its fields are keyed as if they were the parent's own."""
    return dataclasses.field(default_factory=cls,
                             metadata={FLATTEN: True, "cls": cls, "help": help})


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return config_dict(value)
    return json.loads(json.dumps(value, default=list))


def config_dict(cfg: Any) -> dict[str, Any]:
    """The canonical JSON-friendly form of a config dataclass: fields under their key names
    (:func:`renamed_field`), nested flat specs merged in (:func:`flat_field`), extension fields
    at their default omitted (:func:`extension_field`), then the class's optional
    ``canonical_form(dict) -> dict`` hook (a stored spelling of a value, e.g. a variance for a
    scale). :func:`from_config` inverts it."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if f.metadata.get(OMIT_AT_DEFAULT) and value == f.default:
            continue
        if f.metadata.get(FLATTEN):
            inner = config_dict(value)
            clash = set(inner) & set(out)
            if clash:
                raise TypeError(f"flattened field {f.name!r} repeats keys {sorted(clash)}")
            out.update(inner)
            continue
        out[f.metadata.get(KEY_NAME, f.name)] = _jsonable(value)
    hook = getattr(type(cfg), "canonical_form", None)
    return hook(out) if hook is not None else out


def _key_names(cls: type) -> set[str]:
    names: set[str] = set()
    for f in dataclasses.fields(cls):
        if f.metadata.get(FLATTEN):
            names |= _key_names(f.metadata["cls"])
        else:
            names.add(f.metadata.get(KEY_NAME, f.name))
    return names


def from_config(cls: type, mapping: Mapping[str, Any]) -> Any:
    """The ``cls`` spec whose canonical form (:func:`config_dict`) is ``mapping`` (lists become
    tuples). An unknown key raises :class:`ConfigError` naming it and the known ones."""
    data = dict(mapping)
    hook = getattr(cls, "from_canonical_form", None)
    if hook is not None:
        data = hook(data)
    unknown = sorted(set(data) - _key_names(cls))
    if unknown:
        raise ConfigError(f"unknown configuration key(s) {', '.join(map(repr, unknown))} for "
                          f"{cls.__name__}; known: {', '.join(sorted(_key_names(cls)))}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get(FLATTEN):
            sub = f.metadata["cls"]
            kwargs[f.name] = from_config(sub, {k: data[k] for k in _key_names(sub) if k in data})
            continue
        key = f.metadata.get(KEY_NAME, f.name)
        if key in data:
            v = data[key]
            kwargs[f.name] = tuple(v) if isinstance(v, list) else v
    return cls(**kwargs)


def config_hash(obj: Any) -> str:
    """Stable short hash of a config dataclass or a JSON-serialisable mapping."""
    if dataclasses.is_dataclass(obj):
        obj = config_dict(obj)
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


__all__ = ["PROFILE_NAMES", "ConfigError", "check_choice", "field", "register", "chapters",
           "get_config", "resolve_params", "notebook_config", "parameters_cell",
           "NOTEBOOK_PARAMETERS", "describe", "config_dict", "config_hash", "OMIT_AT_DEFAULT",
           "extension_field", "KEY_NAME", "FLATTEN", "renamed_field", "flat_field",
           "from_config"]
