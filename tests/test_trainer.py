"""The batched trainer equals training each model alone (same init, same mini-batches)."""

import pytest
import torch
from torch import nn

from modscale.infra.profiles import ConfigError
from modscale.models.batched_mlp import BatchedMLP
from modscale.tasks.sine_task import make_task, sample_datasets
from modscale.training.trainer import (
    batch_weights,
    evaluate_mse,
    sample_batch_indices,
    train_batched,
    train_one,
)


def _data(n_train, m=3, n_test=40, dtype=torch.float64):
    tasks = [make_task(m, 2, seed=s) for s in range(len(n_train))]
    return sample_datasets(tasks, n_train, n_test, data_seeds=list(range(len(n_train))),
                           dtype=dtype)


@pytest.mark.parametrize("batch_size", [None, 32])
def test_batched_equals_one_at_a_time(batch_size):
    ns = [10, 30, 50, 80]
    xtr, ytr, xte, yte, nt = _data(ns)
    model = BatchedMLP(len(ns), 3, 8, 3, generator=torch.Generator().manual_seed(0),
                       dtype=torch.float64)
    refs = model.to_modules()
    iters = 40
    gen = torch.Generator().manual_seed(1)
    idx = torch.stack([sample_batch_indices(nt, batch_size, gen) for _ in range(iters)])
    res = train_batched(model, xtr, ytr, xte, yte, n_train=nt, iters=iters, lr=0.01,
                        batch_size=batch_size, batch_indices=idx, eval_every=10,
                        record_steps=True)
    assert res.step_loss.shape == (iters, len(ns))
    assert res.eval_iters.tolist() == [0, 10, 20, 30, 40]
    for j, n in enumerate(ns):
        one = train_one(refs[j], xtr[j, :n], ytr[j, :n], xte[j], yte[j], iters=iters, lr=0.01,
                        batch_size=batch_size, batch_indices=idx[:, j], eval_every=10,
                        record_steps=True)
        # float64 end to end: equal to round-off (a float32 cast anywhere would show at 1e-8)
        assert torch.allclose(res.step_loss[:, j], one.step_loss[:, 0], rtol=1e-12, atol=1e-14)
        assert torch.allclose(res.test_history[:, j], one.test_history[:, 0], rtol=1e-5)
        assert torch.allclose(res.train_loss[j], one.train_loss[0], rtol=1e-5)
        for layer, (w, b) in enumerate(zip(model.weight, model.bias, strict=True)):
            lin = refs[j][2 * layer]
            assert torch.allclose(w[j].T, lin.weight, atol=1e-10)
            assert torch.allclose(b[j, 0], lin.bias, atol=1e-10)
    # Training did something: the loss went down for every model.
    assert torch.all(res.step_loss[-5:].mean(0) < res.step_loss[:5].mean(0))


def test_minibatch_indices_stay_within_each_models_rows():
    nt = torch.tensor([3, 50, 1000, 7])
    idx = sample_batch_indices(nt, 20, torch.Generator().manual_seed(0))
    assert idx.shape == (4, 20)
    assert torch.all(idx[1] < 50) and torch.all(idx[2] < 1000)
    assert torch.equal(idx[0], torch.arange(20))  # full batch (masked beyond 3 rows)
    w = batch_weights(nt, 20, torch.float64)
    assert torch.allclose(w.sum(1), torch.ones(4, dtype=torch.float64))
    assert torch.all(w[0, 3:] == 0) and torch.all(w[3, 7:] == 0)
    # Uniform over the model's own rows: the mean index of a large draw is (n-1)/2.
    big = torch.cat([sample_batch_indices(nt, 20, torch.Generator().manual_seed(s))
                     for s in range(300)], 1).double()
    assert abs(big[2].mean().item() - 499.5) < 20


def test_padding_rows_are_never_used():
    """Garbage in the padding rows does not change training at all."""
    ns = [5, 20]
    xtr, ytr, xte, yte, nt = _data(ns)
    xbad, ybad = xtr.clone(), ytr.clone()
    xbad[0, 5:], ybad[0, 5:] = 1e6, -1e6
    out = []
    for x, y in ((xtr, ytr), (xbad, ybad)):
        model = BatchedMLP(2, 3, 8, 2, generator=torch.Generator().manual_seed(0),
                           dtype=torch.float64)
        out.append(train_batched(model, x, y, xte, yte, n_train=nt, iters=20, batch_size=8,
                                 generator=torch.Generator().manual_seed(3)))
    assert torch.equal(out[0].test_loss, out[1].test_loss)
    assert torch.equal(out[0].train_loss, out[1].train_loss)


class _StackedLinear(nn.Module):
    """A model that is not a BatchedMLP: M linear regressions (the trainer's generic contract)."""

    def __init__(self, m_models, in_dim):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(m_models, in_dim, 1, dtype=torch.float64))

    def forward(self, x):
        return x @ self.w


def test_generic_model_converges_to_least_squares():
    ns = [200, 300]
    xtr, ytr, xte, yte, nt = _data(ns)
    model = _StackedLinear(2, 3)
    train_batched(model, xtr, ytr, xte, yte, n_train=nt, iters=1500, lr=0.05)
    for j, n in enumerate(ns):
        ls = torch.linalg.lstsq(xtr[j, :n], ytr[j, :n]).solution
        assert torch.allclose(model.w[j], ls, atol=2e-3)


def test_evaluate_mse_matches_direct_computation():
    xtr, ytr, xte, yte, nt = _data([17, 40])
    model = BatchedMLP(2, 3, 8, 2, dtype=torch.float64)
    got = evaluate_mse(model, xtr, ytr, nt, chunk=7)
    with torch.no_grad():
        pred = model(xtr)
        for j, n in enumerate([17, 40]):
            direct = ((pred[j, :n] - ytr[j, :n]) ** 2).mean()
            assert abs(got[j].item() - direct.item()) < 1e-5 * direct.item()


@pytest.mark.parametrize("kw,name", [({"iters": 0}, "'iters'"), ({"lr": -1.0}, "'lr'"),
                                     ({"batch_size": 0}, "'batch_size'"),
                                     ({"n_train": torch.tensor([0, 3])}, "'n_train'")])
def test_bad_arguments_raise_config_error(kw, name):
    xtr, ytr, xte, yte, _ = _data([5, 5])
    model = BatchedMLP(2, 3, 4, 2, dtype=torch.float64)
    with pytest.raises(ConfigError, match=name):
        train_batched(model, xtr, ytr, xte, yte, **kw)
