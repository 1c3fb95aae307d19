"""The package is laid out in layers; a module imports only from its own layer or lower ones,
and the module import graph is acyclic."""

import ast
from pathlib import Path

import modscale

PKG = Path(modscale.__file__).resolve().parent
LAYERS = ["methods", "infra", "paper_data", "tasks", "models", "training", "theory", "experiments",
          "plans", "report"]
"""Lowest first. ``methods`` (the method vocabulary) and ``paper_data`` (the paper's digitised
numbers) are data only."""


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        rel = p.relative_to(PKG).with_suffix("").parts
        name = ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
        out[name or "__init__"] = p
    return out


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("modscale."):
            base = node.module.removeprefix("modscale.")
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "modscale":
            found |= {a.name for a in node.names}
    return found


def test_layers_import_downwards_only():
    mods = _modules()
    bad = []
    for name, path in mods.items():
        layer = name.split(".")[0]
        if layer not in LAYERS:
            continue
        for imp in _imports(path) & set(mods):
            other = imp.split(".")[0]
            if other in LAYERS and LAYERS.index(other) > LAYERS.index(layer):
                bad.append(f"{name} -> {imp}")
    assert not bad, "upward imports: " + ", ".join(sorted(bad))


def test_module_import_graph_is_acyclic():
    mods = _modules()
    graph = {n: {i for i in _imports(p) if i in mods and i != n} for n, p in mods.items()}
    state: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        state[n] = 1
        for m in graph[n]:
            if state.get(m) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, n, m]))
            if m not in state:
                visit(m, [*stack, n])
        state[n] = 2

    for n in graph:
        if n not in state:
            visit(n, [])


def test_every_module_is_in_a_layer():
    top = {n.split(".")[0] for n in _modules()} - {"__init__"}
    assert top == set(LAYERS)


def test_one_method_vocabulary():
    """The method tuples of the experiments derive from modscale.methods (one name each)."""
    from modscale import methods
    from modscale.experiments import fig3a_readings
    from modscale.infra.profiles import get_config
    from modscale.training import alg1, cifar_models

    assert fig3a_readings.METHODS == methods.SINE_METHODS
    assert alg1.READINGS == methods.READINGS
    assert cifar_models.METHODS == methods.CIFAR_METHODS
    assert set(get_config("algorithm1", "book").sc_methods) <= set(methods.SINE_METHODS)
    assert methods.paper_key("ours_literal") == "ours" and methods.paper_key("modular") == "modular"
    assert methods.stored_name("modular_stacks", "ours_literal") == "ours"
    assert methods.stored_name("fig3a_readings", "ours_literal") == "ours_literal"
