"""The CIFAR-10 loader: format parsers on tiny synthetic archives, and the real archive."""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from modscale.tasks import cifar
from modscale.tasks.cifar import CLASSES, DataError, load_cifar10


def _jpeg_bytes(img: np.ndarray, quality: int = 95) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _tiny_jpeg_archive(path: Path, n_train: int = 3, n_test: int = 2) -> dict:
    """A ``.tar.xz`` in the JPEG layout, members deliberately out of order; returns the raw
    JPEG bytes by (split, class, index)."""
    rng = np.random.default_rng(0)
    members = {}
    for split, n in (("test", n_test), ("train", n_train)):
        for c, name in reversed(list(enumerate(CLASSES))):
            for i in reversed(range(n)):
                img = np.full((32, 32, 3), 25 * c, np.uint8) + rng.integers(0, 5, (32, 32, 3),
                                                                          dtype=np.uint8)
                members[(split, c, i)] = (f"{split}/{name}/{i:04d}.jpg", _jpeg_bytes(img))
    with tarfile.open(path, "w:xz") as tar:
        for d in ("train/", "test/"):
            info = tarfile.TarInfo(d.rstrip("/"))
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        for name, data in members.values():
            _add(tar, name, data)
    return members


def _decode(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _tiny_python_batches(n_per_batch: int = 20, seed: int = 1) -> dict[str, dict]:
    rng = np.random.default_rng(seed)
    out = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        out[name] = {b"data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                     b"labels": [int(v) for v in rng.integers(0, 10, n_per_batch)]}
    return out


def test_jpeg_archive_parser_matches_members(tmp_path):
    arc = tmp_path / "tiny-jpeg.tar.xz"
    members = _tiny_jpeg_archive(arc)
    d = load_cifar10(arc, cache_root=tmp_path / "cache")
    assert d.source_format == "jpeg" and d.is_jpeg
    assert d.train_x.shape == (30, 32, 32, 3) and d.test_x.shape == (20, 32, 32, 3)
    assert d.train_x.dtype == np.uint8 and d.train_y.dtype == np.int64
    # sorted by class, then file index
    for split, n in (("train", 3), ("test", 2)):
        x, y = getattr(d, f"{split}_x"), getattr(d, f"{split}_y")
        assert y.tolist() == [c for c in range(10) for _ in range(n)]
        for c in range(10):
            for i in range(n):
                np.testing.assert_array_equal(x[c * n + i], _decode(members[(split, c, i)][1]))


def test_jpeg_subset_and_cache_roundtrip(tmp_path):
    arc = tmp_path / "tiny-jpeg.tar.xz"
    _tiny_jpeg_archive(arc)
    sub = load_cifar10(arc, max_per_class=2, cache_root=tmp_path / "cache")
    assert np.bincount(sub.train_y).tolist() == [2] * 10
    assert np.bincount(sub.test_y).tolist() == [2] * 10
    again = load_cifar10(arc, max_per_class=2, cache_root=tmp_path / "cache")
    assert again.arrays_sha256 == sub.arrays_sha256
    np.testing.assert_array_equal(again.train_x, sub.train_x)


def test_corrupt_cache_is_rebuilt(tmp_path):
    arc = tmp_path / "tiny-jpeg.tar.xz"
    _tiny_jpeg_archive(arc)
    d = load_cifar10(arc, cache_root=tmp_path / "cache")
    (npz,) = (tmp_path / "cache" / "cifar10").glob("*.npz")
    npz.write_bytes(npz.read_bytes()[:200])  # truncated
    again = load_cifar10(arc, cache_root=tmp_path / "cache")
    assert again.arrays_sha256 == d.arrays_sha256


def test_python_layouts_match_raw_pickles(tmp_path):
    batches = _tiny_python_batches()
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name, obj in batches.items():
        (folder / name).write_bytes(pickle.dumps(obj))
    arc = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(arc, "w:gz") as tar:
        for name, obj in batches.items():
            _add(tar, f"cifar-10-batches-py/{name}", pickle.dumps(obj))
    from_dir = load_cifar10(folder, cache=False)
    from_tar = load_cifar10(arc, cache=False)
    assert from_dir.arrays_sha256 == from_tar.arrays_sha256
    assert from_tar.source_format == "python" and not from_tar.is_jpeg
    # independent reference: concatenate, sort by label (stable), CHW -> HWC
    for split, names in (("train", [f"data_batch_{i}" for i in range(1, 6)]),
                         ("test", ["test_batch"])):
        x = np.concatenate([batches[n][b"data"] for n in names]).reshape(-1, 3, 32, 32)
        y = np.concatenate([batches[n][b"labels"] for n in names])
        order = np.argsort(y, kind="stable")
        np.testing.assert_array_equal(getattr(from_tar, f"{split}_y"), y[order])
        np.testing.assert_array_equal(getattr(from_tar, f"{split}_x"),
                                      x[order].transpose(0, 2, 3, 1))
        # pixel (row 3, col 5) of channel G of the first image, by hand
        i0 = order[0]
        assert getattr(from_tar, f"{split}_x")[0, 3, 5, 1] == x[i0, 1, 3, 5]


def test_missing_and_corrupt_sources_raise_clear_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("MODSCALE_CIFAR10", raising=False)
    with pytest.raises(DataError, match="parameter 'path'.*Put cifar10-jpeg.tar.xz"):
        load_cifar10(tmp_path / "nope.tar.xz")
    monkeypatch.setenv("MODSCALE_CIFAR10", str(tmp_path / "missing"))
    with pytest.raises(DataError, match="MODSCALE_CIFAR10"):
        cifar.find_cifar10()
    monkeypatch.delenv("MODSCALE_CIFAR10")
    bad = tmp_path / "cifar10-jpeg.tar.xz"
    bad.write_bytes(b"not an archive")
    with pytest.raises(DataError, match="corrupt"):
        load_cifar10(bad, cache=False)  # checksum mismatch (file named like the real one)
    with pytest.raises(DataError, match="cannot read"):
        load_cifar10(bad, cache=False, verify_source=False)
    other = tmp_path / "data.zip"
    other.write_bytes(b"x")
    with pytest.raises(DataError, match="unknown CIFAR-10 format"):
        load_cifar10(other)
    monkeypatch.setattr(cifar, "SEARCH_DIRS", (tmp_path / "empty",))
    with pytest.raises(DataError, match="CIFAR-10 not found"):
        cifar.find_cifar10()


def _real_archive() -> Path | None:
    for d in cifar.SEARCH_DIRS:
        if (d / cifar.JPEG_ARCHIVE).exists():
            return d / cifar.JPEG_ARCHIVE
    return None


@pytest.mark.skipif(_real_archive() is None,
                    reason="real CIFAR-10 JPEG archive not found in " + ", ".join(
                        str(d) for d in cifar.SEARCH_DIRS))
def test_real_archive_against_raw_members(tmp_path):
    arc = _real_archive()
    d = load_cifar10(arc)
    assert d.source_sha256 == cifar.JPEG_SHA256
    assert d.train_x.shape == (50000, 32, 32, 3) and d.test_x.shape == (10000, 32, 32, 3)
    assert np.bincount(d.train_y).tolist() == [5000] * 10
    assert np.bincount(d.test_y).tolist() == [1000] * 10
    wanted = {("train", 0, 0), ("train", 3, 4321), ("train", 9, 4999), ("test", 5, 17),
              ("test", 9, 999)}
    seen = 0
    with tarfile.open(arc, "r:xz") as tar:
        for m in tar:
            parts = Path(m.name).parts
            if len(parts) != 3 or not m.isfile():
                continue
            key = (parts[0], CLASSES.index(parts[1]), int(Path(parts[2]).stem))
            if key in wanted:
                raw = _decode(tar.extractfile(m).read())
                split, c, i = key
                n = 5000 if split == "train" else 1000
                np.testing.assert_array_equal(getattr(d, f"{split}_x")[c * n + i], raw)
                assert getattr(d, f"{split}_y")[c * n + i] == c
                seen += 1
    assert seen == len(wanted)
