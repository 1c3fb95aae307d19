"""One plan per chapter (modscale.plans): a step added to a chapter's plan reaches every caller
-- tools/precompute.py and the stored-specs check -- with no other edit, and the plans are the
chain the chapters build (the stored-specs test checks them against the committed store)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from modscale import plans
from modscale.infra import registry

REPO = Path(__file__).resolve().parent.parent


def toy_run(spec: dict) -> dict:
    """The toy experiment's run: a number from its spec."""
    return {"value": spec["a"] * 2}


def test_a_toy_experiment_through_the_recipe(monkeypatch, tmp_path):
    """The recipe: (1) the experiment (a run function and its registry entry), (2) a step in
    its chapter's plan. precompute's ``plan`` part computes it and the stored-specs check
    (every plan at ``book``) asks for it, without touching either."""
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setitem(registry.EXPERIMENTS, "toy", registry.Experiment(
        "toy", 1, f"{__name__}:toy_run", ("tasks.sine_task",), chapter="algorithm1"))
    from modscale.plans import algorithm1

    monkeypatch.setattr(algorithm1, "plan", lambda cfg, up: [("toy", {"a": cfg.k})])
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import paper_run
        import precompute
    finally:
        sys.path.remove(str(REPO / "tools"))
    from modscale.infra.cache import find
    from modscale.infra.profiles import get_config

    k = get_config("algorithm1", "smoke").k
    items = precompute.plan_items("algorithm1", "smoke")
    assert [(exp, spec) for exp, _, spec in items] == [("toy", {"a": k})]
    assert find("toy", {"a": k}) is None
    assert precompute.compute_shard("plan algorithm1", items, 0, 1) == 0
    assert find("toy", {"a": k}) == {"value": 2 * k}
    # the stored-specs check builds its list from the same plans
    assert plans.profile_items("algorithm1", "book") == [
        ("toy", {"a": get_config("algorithm1", "book").k})]
    # tools/paper_run.py queues it (part 'plans'), computed by the registered run
    jobs = [j for j in paper_run.jobs_of(["plans"], "paper", "cpu", False)
            if j.experiment == "toy"]
    assert [(j.config, paper_run.group_of(j)) for j in jobs] == [
        ({"a": get_config("algorithm1", "paper").k}, "plans: algorithm1 toy")]
    assert jobs[0].compute() == {"value": 2 * get_config("algorithm1", "paper").k}
    # a reader's one call for a chapter's whole plan (Chapter.compute_plan; the pages compute
    # step by step, each cell timing its own runs)
    from modscale.report.chapter import Chapter

    ch = Chapter("algorithm1", get_config("algorithm1", "smoke"), "smoke", "cpu")
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache2"))
    assert find("toy", {"a": k}) is None
    assert ch.compute_plan() == 1
    assert find("toy", {"a": k}) == {"value": 2 * k}


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(ValueError, match="parameter 'chapter'.*allowed values: sine_regression"
                                         ".*compositional_cifar"):
        plans.module("theory")


def test_the_cifar_plan_lists_what_the_chapter_reads(monkeypatch):
    """The CIFAR plan at ``smoke`` lists exactly the store keys (data checksum and device
    included) that the chapter's runs look up, in the same order: recorded from each
    experiment's cached run, called as the chapter called them before it had a plan."""
    from modscale.experiments import cifar_alg1 as ca
    from modscale.experiments import cifar_runs as cr
    from modscale.experiments import cifar_scale as cs
    from modscale.infra.cache import entry_key
    from modscale.infra.profiles import get_config
    from modscale.plans import compositional_cifar as plan

    cfg = get_config("compositional_cifar", "smoke")
    data = plan.data(cfg)
    seen: list = []

    def record(exp, key, compute, **kw):
        seen.append((exp, key))
        return {}

    for mod in (cr, cs, ca):
        monkeypatch.setattr(mod, "cached", record)
    lrs = cr.best_lrs(cr.lr_sweep(data, cfg))  # one learning rate at smoke: no sweep runs
    cr.main_runs(data, cfg, lrs)
    cr.epoch_runs(data, cfg, lrs)
    cs.all_runs(data, cfg, progress=False)
    for b in dict.fromkeys((cfg.module_dim, cfg.paper_dim)):
        for v in ca.VARIANTS:
            if not (b == cfg.paper_dim != cfg.module_dim and v == "large_pool"):
                ca.run(data, ca.spec(cfg, v, k=max(2, min(4, max(cfg.ks))), module_dim=b))
    cs.paper_dim_runs(data, cfg, progress=False)
    read = list({entry_key(e, k): (e, k) for e, k in seen}.values())
    listed = plans.items("compositional_cifar", cfg, {})
    assert [e for e, _ in listed] == [e for e, _ in read]
    assert listed == read
    assert {k["device"] for _, k in listed} == {"cpu"}
    assert {k["data"] for _, k in listed} == {data.arrays_sha256}
    assert len(listed) == 33


def test_items_are_unique_and_follow_the_upstream_value():
    """The same spec listed by two steps is kept once; the modular plan follows the Algorithm 1
    config it is given (an upstream override changes the plan)."""
    import dataclasses

    from modscale.infra.profiles import get_config

    up = {c: get_config(c, "smoke") for c in plans.module("modular_networks").UPSTREAM}
    cfg = get_config("modular_networks", "smoke")
    base = plans.items("modular_networks", cfg, up)
    assert len({(e, repr(s)) for e, s in base}) == len(base)
    changed = dict(up, algorithm1=dataclasses.replace(up["algorithm1"],
                                                       init_steps=up["algorithm1"].init_steps + 1))
    from modscale.infra.cache import entry_key

    keys = {entry_key(e, s) for e, s in base}
    keys2 = {entry_key(e, s) for e, s in plans.items("modular_networks", cfg, changed)}
    assert keys != keys2


def test_plan_items_are_keyed_where_the_chapter_keys_them(monkeypatch, tmp_path):
    """The sine chapter trains and keys its stacks on its device; the other chapters train and
    key at the CPU: plans.run_item follows the plan module's DEVICE_KEYED, so a result that
    precompute or the chapter's compute_plan stores is the one the chapter's cell looks up."""
    calls = []
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setitem(registry.EXPERIMENTS, "toy", registry.Experiment(
        "toy", 1, f"{__name__}:toy_run_on", ("tasks.sine_task",), chapter="sine_regression"))
    monkeypatch.setattr(sys.modules[__name__], "toy_run_on",
                        lambda spec, device="cpu": calls.append(str(device)) or {"d": str(device)},
                        raising=False)
    assert plans.device_keyed("sine_regression", "sine_grid")
    assert not plans.device_keyed("algorithm1", "fig3a_readings")
    from modscale.infra.cache import find

    plans.run_item("toy", {"a": 1}, "meta")
    assert calls == ["meta"] and find("toy", {"a": 1}, "meta") == {"d": "meta"}
    assert find("toy", {"a": 1}, "cpu") is None
    plans.run_item("toy", {"a": 2})
    assert calls[-1] == "cpu" and find("toy", {"a": 2}, "cpu") == {"d": "cpu"}
