"""`download` and `subset`: a reader's full CIFAR-10 gives the shared subset byte for byte.

No full download is available offline, so the tests use what is real here: the shared subset
itself (its first N images must reproduce themselves), the same rows re-pickled the way
Python 3 writes them with the full files' batch labels and file names, and torchvision's own
download code fed an archive served from 127.0.0.1.
"""

import hashlib
import json
import pickle
import shutil
import statistics
import tarfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from torchvision.datasets import CIFAR10

from snippets.cifar.cli import main
from snippets.cifar.data import FOLDER, META_FILE, TEST_FILES, TRAIN_FILES, load_cifar10
from snippets.cifar.experiments import SCALES, study
from snippets.cifar.subset import pickle2
from tests.cifar.conftest import ROOT, run_module

FILES = [*TRAIN_FILES, *TEST_FILES, META_FILE]


def load(path):
    with path.open("rb") as f:
        return pickle.load(f, encoding="bytes")


def test_1017_per_batch_of_the_shared_subset_reproduces_it_byte_for_byte(subset, tmp_path):
    """The reader's command, as a reader types it."""
    result = run_module(
        "snippets.cifar", "subset", "--source", str(subset), "--per-batch", "1017",
        "--out", str(tmp_path / "again"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = tmp_path / "again" / FOLDER
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (out / name).read_bytes() == (subset / FOLDER / name).read_bytes(), name


def test_a_smaller_n_keeps_the_first_n_images_and_labels(subset, tmp_path):
    assert main(["subset", "--source", str(subset / FOLDER), "--per-batch", "37",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    for name in TRAIN_FILES + TEST_FILES:
        full, cut = load(subset / FOLDER / name), load(tmp_path / FOLDER / name)
        assert list(cut) == list(full)  # same keys, same order
        assert cut[b"data"].dtype == np.uint8 and cut[b"data"].shape == (37, 3072)
        np.testing.assert_array_equal(cut[b"data"], full[b"data"][:37])
        assert cut[b"labels"] == full[b"labels"][:37]
        assert cut[b"filenames"] == full[b"filenames"][:37]
        assert cut[b"batch_label"] == full[b"batch_label"] == name.encode()
    data = load_cifar10(tmp_path, download_missing=False)  # and the trainer reads it
    assert (len(data.train_images), len(data.test_images)) == (5 * 37, 37)


def test_full_files_pickled_another_way_give_the_shared_subset(subset, tmp_path):
    """Like the full download: more rows, Python 3's pickle, the source images' names."""
    source = tmp_path / "full" / FOLDER
    source.mkdir(parents=True)
    for i, name in enumerate(TRAIN_FILES + TEST_FILES):
        rows = load(subset / FOLDER / name)
        extra = np.arange(50 * 3072, dtype=np.uint8).reshape(50, 3072)
        batch = {
            b"batch_label": b"training batch %d of 5" % (i + 1),
            b"labels": rows[b"labels"] + [i % 10] * 50,
            b"data": np.concatenate([rows[b"data"], extra]),
            b"filenames": [b"tabby_s_%06d.png" % j for j in range(1067)],
        }
        (source / name).write_bytes(pickle.dumps(batch, protocol=4))
    shutil.copyfile(subset / FOLDER / META_FILE, source / META_FILE)
    assert main(["subset", "--source", str(source.parent), "--per-batch", "1017",
                 "--out", str(tmp_path / "cut")]) == 0  # fmt: skip
    for name in FILES:
        assert (tmp_path / "cut" / FOLDER / name).read_bytes() == (
            subset / FOLDER / name
        ).read_bytes(), name


def test_the_writer_round_trips_what_the_batch_files_hold():
    value = {
        b"k": [0, 255, 256, 65535, 65536, -1, None, True, False],
        b"s": [b"", b"x" * 255, b"y" * 256],
        b"t": (1, (2, 3), (4, 5, 6), (7, 8, 9, 10)),
    }
    assert pickle.loads(pickle2(value), encoding="bytes") == value


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        ("drop data_batch_3", ["--per-batch", "5"], "data_batch_3: missing"),
        ("drop batches.meta", ["--per-batch", "5"], "batches.meta: missing"),
        ("", ["--per-batch", "1018"], "data_batch_1: holds 1017 images, --per-batch 1018"),
        ("", ["--per-batch", "0"], "--per-batch must be at least 1"),
        ("add a key", ["--per-batch", "5"], "keys [b'coarse_labels'] are not CIFAR-10's"),
    ],
)
def test_bad_input_is_named_and_writes_nothing(subset, tmp_path, capsys, change, args, message):
    source = tmp_path / "source"
    shutil.copytree(subset / FOLDER, source)
    if change.startswith("drop"):
        (source / change.split()[1]).unlink()
    elif change == "add a key":
        batch = load(source / "test_batch") | {b"coarse_labels": [0] * 1017}
        (source / "test_batch").write_bytes(pickle.dumps(batch))
    out = tmp_path / "out"
    assert main(["subset", "--source", str(source), *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() or list(out.iterdir()) == []  # no partial folder, no temp folder


def test_an_existing_output_is_never_overwritten(subset, tmp_path, capsys):
    keep = tmp_path / FOLDER / "data_batch_1"
    keep.parent.mkdir()
    keep.write_bytes(b"mine")
    assert main(["subset", "--source", str(subset), "--per-batch", "5",
                 "--out", str(tmp_path)]) == 2  # fmt: skip
    assert "already exists" in capsys.readouterr().err
    assert keep.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [FOLDER]


@pytest.fixture
def local_archive(subset, tmp_path, monkeypatch):
    """torchvision's CIFAR-10 archive served over HTTP from 127.0.0.1 (its md5 set to match)."""
    served = tmp_path / "served"
    served.mkdir()
    with tarfile.open(served / CIFAR10.filename, "w:gz") as tar:
        tar.add(subset / FOLDER, arcname=FOLDER)
    handler = partial(SimpleHTTPRequestHandler, directory=served)
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{CIFAR10.filename}"
    monkeypatch.setattr(CIFAR10, "url", url)
    md5 = hashlib.md5((served / CIFAR10.filename).read_bytes()).hexdigest()
    monkeypatch.setattr(CIFAR10, "tgz_md5", md5)
    yield url
    server.shutdown()
    thread.join()


def test_download_unpacks_the_checked_archive(subset, local_archive, tmp_path, capsys):
    out = tmp_path / "cifar"
    assert main(["download", "--out", str(out)]) == 0
    assert f"--data-dir {out}" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [FOLDER]  # the archive is not kept
    for name in FILES:
        assert (out / FOLDER / name).read_bytes() == (subset / FOLDER / name).read_bytes()


def test_download_with_a_wrong_checksum_fails_and_leaves_nothing(
    local_archive, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(CIFAR10, "tgz_md5", "0" * 32)
    out = tmp_path / "cifar"
    assert main(["download", "--out", str(out)]) == 2
    assert "downloading it from http://127.0.0.1" in capsys.readouterr().err
    assert list(out.iterdir()) == []


GUIDE = ROOT / "docs" / "guides" / "trainer.md"


def test_the_guides_md5_sums_are_those_of_the_shared_subset(subset):
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split("```text\n", 1)[1].split("```", 1)[0]
    listed = dict(reversed(line.split()) for line in block.splitlines())
    actual = {n: hashlib.md5((subset / FOLDER / n).read_bytes()).hexdigest() for n in FILES}
    assert listed == actual


def test_the_guides_full_scale_cost_is_computed_from_the_records():
    """Every number of 'What --scale full costs', from the batch-size study's run records."""
    full = SCALES["full"]
    assert (full.batch_size, full.epochs, full.long_epochs) == (4, 50, 200)
    assert len(study("lr-decay", "full").runs) == len(study("loss", "full").runs) == 6
    rates = {}
    for batch in (5, 10, 20):
        runs = sorted((ROOT / "runs" / "small" / "batch-size").glob(f"batch-{batch}-s*"))
        epochs = [json.loads(line) for r in runs for line in (r / "metrics.jsonl").open()]
        rates[batch] = statistics.median(e["images_per_second"] for e in epochs)
        assert len(epochs) == 24
    run = full.epochs * 50_000 / rates[5]  # seconds of one CoolNet run at the batch-5 rate
    nine = 3 * full.epochs * 50_000 * sum(1 / r for r in rates.values())
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    for number in (
        f"{rates[5]:,.0f} images/s at batch 5",
        f"{run / 60:.0f} minutes or more",
        f"{6 * run / 3600:.1f} hours or more",
        f"{6 * 4 * run / 3600:.0f} hours or more",
        f"({rates[5]:,.0f}, {rates[10]:,.0f} and {rates[20]:,.0f} images/s)",
        f"about {nine / 3600:.1f} hours for its nine runs",
    ):
        assert number in text
