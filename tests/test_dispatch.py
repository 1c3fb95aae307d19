"""Scale-out dispatch: the same cache, whichever engine runs the configurations."""

import operator

import pytest

from modscale.infra import cache
from modscale.infra.dispatch import dispatch
from modscale.infra.profiles import ConfigError

# A picklable 'experiment' importable by worker processes (a test module is not importable there).
square = operator.itemgetter("sq")
CONFIGS = [{"x": i, "sq": {"value": i * i}} for i in range(4)]
EXP = "theory_calibration"  # a registered name (workers import the real registry)


def test_serial_dispatch_uses_cache(tmp_cache):
    out = dispatch(EXP, CONFIGS, square, progress=False)
    assert [o["value"] for o in out] == [0, 1, 4, 9]
    assert len(cache.entries(EXP)) == 4


def test_bad_backend_is_a_clear_error(tmp_cache):
    with pytest.raises(ConfigError, match="'backend'.*allowed values"):
        dispatch(EXP, CONFIGS, square, backend="dask")
    with pytest.raises(ConfigError, match="'cluster'"):
        dispatch(EXP, CONFIGS, square, backend="submitit", cluster="pbs")


def test_submitit_local_executor_shares_the_cache(tmp_cache, tmp_path):
    pytest.importorskip("submitit")
    dispatch(EXP, CONFIGS[:1], square, progress=False)  # one already cached
    out = dispatch(EXP, CONFIGS, square, backend="submitit", cluster="local",
                   submitit_folder=tmp_path / "jobs", slurm_params={"timeout_min": 5})
    assert [o["value"] for o in out] == [0, 1, 4, 9]
    assert len(cache.entries(EXP)) == 4
    # only the three missing configurations were submitted as jobs
    assert len(list((tmp_path / "jobs").glob("*_submitted.pkl"))) == 3
    # afterwards the serial path finds everything in the cache
    assert dispatch(EXP, CONFIGS, lambda c: 1 / 0, progress=False) == out


def test_ray_local_shares_the_cache(tmp_cache):
    pytest.importorskip("ray", reason="Ray is optional (pip install -e '.[scaleout]')")
    out = dispatch(EXP, CONFIGS, square, backend="ray", ray_num_cpus=2)
    assert [o["value"] for o in out] == [0, 1, 4, 9]
    assert len(cache.entries(EXP)) == 4
