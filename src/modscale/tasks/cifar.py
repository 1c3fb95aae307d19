"""CIFAR-10 loader: the JPEG archive of this project, the original python-pickle release, or a
download of the latter.

Accepted sources (:func:`find_cifar10` picks the first that exists):

1. ``path`` given by the caller, else ``$MODSCALE_CIFAR10``: a ``cifar10-jpeg.tar.xz`` archive
   (``train/<class>/NNNN.jpg``, ``test/<class>/NNNN.jpg``), an original
   ``cifar-10-python.tar.gz``, or an extracted ``cifar-10-batches-py/`` folder.
2. ``cifar10-jpeg.tar.xz`` / ``cifar-10-python.tar.gz`` in ``<repo>/../shared/data/``,
   ``<repo>/shared/data/`` or ``<repo>/data/``.
3. With ``download=True`` only: the original archive from :data:`CIFAR10_URL` (MD5-checked)
   into ``<repo>/data/``.

The JPEG copy is lossy: its pixels differ slightly from the original release.

Decoding (about 10 s for the 60,000 JPEGs) happens once; the arrays are cached as an ``.npz``
under ``<cache_dir>/cifar10/`` together with the source's SHA-256 and the SHA-256 of the decoded
arrays, both verified on every load (a corrupt cache file is decoded again).

Images are ``uint8`` arrays of shape ``(N, 32, 32, 3)`` (height, width, RGB); labels are
``int64`` of shape ``(N,)`` in ``0..9`` (:data:`CLASSES`). Within a split the images are ordered
by class, then by the index in the source (file name ``NNNN`` for the JPEG copy, position in the
batch files for the original).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from modscale.infra.cache import cache_dir, file_digest
from modscale.infra.profiles import ConfigError

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
JPEG_ARCHIVE = "cifar10-jpeg.tar.xz"
JPEG_SHA256 = "cc02e7ecd7ff20d3fb7f27d2c1751b4fe6613d36b03eeaedb21304b32c3bca77"
PYTHON_ARCHIVE = "cifar-10-python.tar.gz"
REPO = Path(__file__).resolve().parents[3]
SEARCH_DIRS = (REPO.parent / "shared" / "data", REPO / "shared" / "data", REPO / "data")

_WHERE = (f"Put {JPEG_ARCHIVE} (or the original {PYTHON_ARCHIVE}, or its extracted "
          f"cifar-10-batches-py/ folder) in one of: "
          + ", ".join(str(d) for d in SEARCH_DIRS)
          + "; or pass its path (parameter 'path' / environment variable MODSCALE_CIFAR10); "
          "or allow a download of the original with download=True where the internet is "
          "reachable.")


class DataError(RuntimeError):
    """The CIFAR-10 data is missing, unreadable or fails its checksum (message says what to do)."""


@dataclass(frozen=True)
class CIFAR10:
    """Decoded CIFAR-10. ``*_x``: uint8 (N, 32, 32, 3); ``*_y``: int64 (N,) in 0..9."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    source: str
    """File or folder the arrays were decoded from."""
    source_format: str
    """``'jpeg'`` (lossy JPEG copy) or ``'python'`` (original pickle release)."""
    source_sha256: str
    arrays_sha256: str

    @property
    def is_jpeg(self) -> bool:
        return self.source_format == "jpeg"


def sha256_file(path: Path) -> str:
    return file_digest(path, "sha256")


def _md5_file(path: Path) -> str:
    return file_digest(path, "md5")


def sha256_arrays(*arrays: np.ndarray) -> str:
    """SHA-256 of the arrays' shapes, dtypes and bytes (the decoded data's fingerprint)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def source_format(path: Path) -> str:
    """``'jpeg'`` for ``*.tar.xz``, ``'python'`` for ``*.tar.gz`` or a batches folder."""
    name = path.name
    if path.is_dir():
        return "python"
    if name.endswith((".tar.xz", ".txz")):
        return "jpeg"
    if name.endswith((".tar.gz", ".tgz")):
        return "python"
    raise DataError(f"{path}: unknown CIFAR-10 format (expected a .tar.xz JPEG archive, a "
                    f".tar.gz python archive or a cifar-10-batches-py/ folder). {_WHERE}")


def find_cifar10(path: str | os.PathLike | None = None, *, download: bool = False) -> Path:
    """The CIFAR-10 source to use (see the module docstring for the search order)."""
    given = path if path is not None else os.environ.get("MODSCALE_CIFAR10") or None
    if given is not None:
        p = Path(given).expanduser()
        if not p.exists():
            who = "parameter 'path'" if path is not None else "MODSCALE_CIFAR10"
            raise DataError(f"CIFAR-10 not found at {p} (from {who}). {_WHERE}")
        source_format(p)
        return p
    for d in SEARCH_DIRS:
        for name in (JPEG_ARCHIVE, PYTHON_ARCHIVE, "cifar-10-batches-py"):
            if (d / name).exists():
                return d / name
    if download:
        return download_cifar10(REPO / "data")
    raise DataError(f"CIFAR-10 not found. {_WHERE}")


def download_cifar10(dest: str | os.PathLike, *, timeout: float = 60.0) -> Path:
    """Download the original python archive into ``dest`` and check its MD5."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / PYTHON_ARCHIVE
    if out.exists() and _md5_file(out) == CIFAR10_MD5:
        return out
    tmp = out.with_suffix(".part")
    try:
        with urllib.request.urlopen(CIFAR10_URL, timeout=timeout) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                f.write(chunk)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise DataError(f"download of {CIFAR10_URL} failed ({err}). {_WHERE}") from err
    if _md5_file(tmp) != CIFAR10_MD5:
        tmp.unlink(missing_ok=True)
        raise DataError(f"downloaded {CIFAR10_URL} has a wrong MD5 (expected {CIFAR10_MD5})")
    os.replace(tmp, out)
    return out


def _decode_jpeg(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
    if arr.shape != (32, 32, 3):
        raise DataError(f"JPEG image of shape {arr.shape}, expected (32, 32, 3)")
    return arr


def read_jpeg_archive(path: str | os.PathLike, max_per_class: int | None = None
                      ) -> dict[str, np.ndarray]:
    """Decode ``train/<class>/NNNN.jpg`` and ``test/<class>/NNNN.jpg`` of a ``.tar.xz``.

    Returns ``{'train_x', 'train_y', 'test_x', 'test_y'}`` ordered by class then file index;
    ``max_per_class`` keeps only files with index < that number (a quick subset).
    """
    found: dict[tuple[str, int, int], np.ndarray] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for m in tar:
                if not m.isfile() or not m.name.lower().endswith((".jpg", ".jpeg")):
                    continue
                parts = Path(m.name).parts
                if len(parts) < 3 or parts[-3] not in ("train", "test"):
                    continue
                split, cls, stem = parts[-3], parts[-2], Path(parts[-1]).stem
                if cls not in CLASSES:
                    raise DataError(f"{path}: unknown class folder {cls!r} in {m.name}")
                idx = int(stem) if stem.isdigit() else -1
                if max_per_class is not None and not 0 <= idx < max_per_class:
                    continue
                f = tar.extractfile(m)
                assert f is not None
                found[(split, CLASSES.index(cls), idx)] = _decode_jpeg(f.read())
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(f"{path}: cannot read the archive ({err}); the file is corrupt or "
                        f"incomplete. {_WHERE}") from err
    out = {}
    for split in ("train", "test"):
        keys = sorted(k for k in found if k[0] == split)
        if not keys:
            raise DataError(f"{path}: no {split}/<class>/*.jpg images found. {_WHERE}")
        out[f"{split}_x"] = np.stack([found[k] for k in keys])
        out[f"{split}_y"] = np.array([k[1] for k in keys], dtype=np.int64)
    return out


def _unpickle_batches(read) -> dict[str, np.ndarray]:
    parts: dict[str, list] = {"train": [], "test": []}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        d = pickle.loads(read(name), encoding="bytes")
        x = np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        y = np.asarray(d[b"labels"], dtype=np.int64)
        parts["test" if name == "test_batch" else "train"].append((x, y))
    out = {}
    for split, xs in parts.items():
        x = np.concatenate([a for a, _ in xs])
        y = np.concatenate([b for _, b in xs])
        order = np.argsort(y, kind="stable")  # by class, then original position
        out[f"{split}_x"], out[f"{split}_y"] = np.ascontiguousarray(x[order]), y[order]
    return out


def read_python_archive(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read the original release (``.tar.gz`` or ``cifar-10-batches-py/``); same keys as
    :func:`read_jpeg_archive`, ordered by class then original position."""
    path = Path(path)
    try:
        if path.is_dir():
            return _unpickle_batches(lambda n: (path / n).read_bytes())
        with tarfile.open(path, "r:*") as tar:
            members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}

            def read(name: str) -> bytes:
                if name not in members:
                    raise DataError(f"{path}: member {name} missing. {_WHERE}")
                f = tar.extractfile(members[name])
                assert f is not None
                return f.read()

            return _unpickle_batches(read)
    except (tarfile.TarError, OSError, EOFError, pickle.UnpicklingError, KeyError) as err:
        raise DataError(f"{path}: cannot read the CIFAR-10 python batches ({err}). "
                        f"{_WHERE}") from err


def _subset(arrays: dict[str, np.ndarray], max_per_class: int | None) -> dict[str, np.ndarray]:
    if max_per_class is None:
        return arrays
    out = {}
    for split in ("train", "test"):
        y = arrays[f"{split}_y"]
        rank = np.zeros_like(y)
        for c in range(len(CLASSES)):
            sel = np.flatnonzero(y == c)
            rank[sel] = np.arange(sel.size)
        keep = rank < max_per_class
        out[f"{split}_x"], out[f"{split}_y"] = arrays[f"{split}_x"][keep], y[keep]
    return out


def load_cifar10(path: str | os.PathLike | None = None, *, max_per_class: int | None = None,
                 download: bool = False, cache: bool = True, verify_source: bool = True,
                 cache_root: Path | None = None) -> CIFAR10:
    """Load (decode once, then from the cache) CIFAR-10; see the module docstring.

    ``max_per_class``: keep the first that many images of each class in each split (a quick
    subset for smoke runs); ``None`` keeps all 5,000 / 1,000. ``verify_source`` checks the JPEG
    archive's SHA-256 against the data README's (only for the file named ``cifar10-jpeg.tar.xz``).
    """
    if max_per_class is not None and max_per_class < 1:
        raise ConfigError(f"parameter 'max_per_class': {max_per_class!r} must be >= 1 or None")
    src = find_cifar10(path, download=download)
    fmt = source_format(src)
    src_sha = sha256_file(src) if src.is_file() else "folder:" + sha256_arrays(
        np.frombuffer("".join(sorted(os.listdir(src))).encode(), np.uint8))
    if verify_source and src.name == JPEG_ARCHIVE and src_sha != JPEG_SHA256:
        raise DataError(f"{src}: SHA-256 {src_sha} differs from the expected {JPEG_SHA256}; "
                        f"the file is corrupt or a different version. {_WHERE}")
    tag = f"{fmt}-{src_sha[:16]}-{'all' if max_per_class is None else max_per_class}"
    npz = (cache_root or cache_dir()) / "cifar10" / f"{tag}.npz"
    if cache and npz.exists():
        try:
            with np.load(npz) as z:
                arrays = {k: z[k] for k in ("train_x", "train_y", "test_x", "test_y")}
                stored_src, stored_arr = str(z["source_sha256"]), str(z["arrays_sha256"])
            arr_sha = sha256_arrays(*arrays.values())
            if stored_src == src_sha and stored_arr == arr_sha:
                return CIFAR10(**arrays, source=str(src), source_format=fmt,
                               source_sha256=src_sha, arrays_sha256=arr_sha)
        except Exception:  # noqa: BLE001 - an unreadable cache file is simply rebuilt
            pass
        npz.unlink(missing_ok=True)
    if fmt == "jpeg":
        arrays = read_jpeg_archive(src, max_per_class)
    else:
        arrays = _subset(read_python_archive(src), max_per_class)
    arrays = {k: arrays[k] for k in ("train_x", "train_y", "test_x", "test_y")}
    arr_sha = sha256_arrays(*arrays.values())
    if cache:
        npz.parent.mkdir(parents=True, exist_ok=True)
        tmp = npz.with_name(npz.stem + f".tmp{os.getpid()}.npz")
        np.savez(tmp, **arrays, source_sha256=np.array(src_sha), arrays_sha256=np.array(arr_sha))
        os.replace(tmp, npz)
    return CIFAR10(**arrays, source=str(src), source_format=fmt, source_sha256=src_sha,
                   arrays_sha256=arr_sha)


def class_counts(y: np.ndarray) -> np.ndarray:
    """Number of images per class, shape (10,)."""
    return np.bincount(y, minlength=len(CLASSES))
