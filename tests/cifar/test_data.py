"""Reading the pickle layout: real files, fewer rows, bad files, and the download path."""

import pickle
from urllib.error import URLError

import numpy as np
import pytest
import torch
from torchvision.datasets import CIFAR10, utils

from snippets.cifar.data import CifarError, default_data_dir, load_cifar10

from .conftest import CLASSES, tiny_cifar


def test_pixels_are_read_as_planes_of_red_green_blue(tmp_path):
    folder = tiny_cifar(tmp_path)  # valid files; then replace one batch with a hand-made row
    row = np.zeros(3072, dtype=np.uint8)
    row[:1024], row[1024:2048], row[2048:] = 10, 20, 30  # R plane, G plane, B plane
    row[1] = 99  # red, top row, second column
    with (folder / "cifar-10-batches-py" / "data_batch_1").open("wb") as f:
        pickle.dump({b"data": row[None], b"labels": [7]}, f)
    data = load_cifar10(folder)
    image = data.train_images[0]
    assert image.shape == (3, 32, 32)
    assert image[0, 0, 1] == 99 and image[0, 0, 0] == 10
    assert (image[1] == 20).all() and (image[2] == 30).all()
    assert data.train_labels[0] == 7


def test_files_with_fewer_rows_load_whole(tiny):
    data = load_cifar10(tiny)
    assert data.train_images.shape == (200, 3, 32, 32)
    assert data.train_images.dtype == torch.uint8
    assert data.test_images.shape == (100, 3, 32, 32)
    assert data.classes == CLASSES
    assert data.path == tiny / "cifar-10-batches-py"
    # the folder itself works as --data-dir too
    assert len(load_cifar10(tiny / "cifar-10-batches-py").train_labels) == 200


def test_the_shared_subset_loads(subset):
    data = load_cifar10(subset, download_missing=False)
    assert (len(data.train_images), len(data.test_images)) == (5085, 1017)
    assert data.classes[0] == "airplane" and data.classes[9] == "truck"
    assert torch.bincount(data.train_labels, minlength=10).min() > 400


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("data_batch_3", None, "missing"),
        ("data_batch_2", b"not a pickle at all", "not a readable CIFAR-10 pickle"),
        ("test_batch", {b"data": np.zeros((4, 100), np.uint8), b"labels": [0] * 4}, "(4, 100)"),
        ("data_batch_1", {b"data": np.zeros((4, 3072), np.uint8), b"labels": [0]}, "1 labels"),
        ("data_batch_4", {b"data": np.zeros((2, 3072), np.uint8), b"labels": [3, 12]}, "0..9"),
        ("data_batch_5", {b"labels": [1]}, "needs keys"),
        ("batches.meta", {b"label_names": [b"cat"]}, "10 class names"),
    ],
    ids=["missing", "corrupt", "wrong shape", "label count", "label range", "no data", "meta"],
)
def test_bad_files_are_named(tiny, name, content, says):
    path = tiny / "cifar-10-batches-py" / name
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content if isinstance(content, bytes) else pickle.dumps(content))
    with pytest.raises(CifarError) as error:
        load_cifar10(tiny)
    assert str(path) in str(error.value)
    assert says in str(error.value)


def test_absent_data_is_downloaded_with_torchvisions_checksum(tmp_path, monkeypatch):
    calls = []

    def fake_download(url, download_root, filename, md5):
        calls.append((url, filename, md5))
        tiny_cifar(tmp_path / "cache")  # what unpacking the archive leaves behind

    monkeypatch.setattr(utils, "download_and_extract_archive", fake_download)
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "cache"))
    data = load_cifar10()
    assert calls == [(CIFAR10.url, CIFAR10.filename, CIFAR10.tgz_md5)]
    assert len(data.train_images) == 200


def test_offline_download_fails_with_advice(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(utils, "download_and_extract_archive", offline)
    with pytest.raises(CifarError, match=r"downloading it from .* failed .*offline.*--data-dir"):
        load_cifar10(tmp_path / "nothing-here")


def test_no_download_means_a_clear_error(tmp_path):
    with pytest.raises(CifarError, match="no CIFAR-10 batch files"):
        load_cifar10(tmp_path, download_missing=False)


def test_default_folder_is_the_cache_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "snippets" / "cifar10"
    monkeypatch.setenv("CIFAR10_DIR", "/data/cifar")
    assert str(default_data_dir()) == "/data/cifar"
