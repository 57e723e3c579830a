"""The figure builder and the record checks on synthetic records written here."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from snippets.cifar.cli import main
from snippets.cifar.experiments import load_study
from snippets.cifar.experiments.figures import render
from snippets.cifar.experiments.summary import by_label, csv_text, markdown, wall_time_markdown
from snippets.cifar.rundir import PROVENANCE, RecordError

SVG = "{http://www.w3.org/2000/svg}"


def provenance(**changes) -> dict:
    """A run.json as the trainer writes it, for a run on 300 + 100 images."""
    info = {
        "argv": ["python", "-m", "snippets.cifar", "experiment", "synthetic"],
        "git_commit": "0" * 40,
        "versions": {"python": "3.11", "torch": "2"},
        "device": "cpu",
        "device_name": "cpu: Test CPU, 2 cores, 2 threads",
        "platform": "Linux",
        "config": {"model": "coolnet", "batch_size": 10, "lr": 0.1},
        "data": {"path": "/data", "train_images": 300, "test_images": 100, "classes": []},
        "status": "completed",
        "message": "done",
        "wall_seconds": 12.5,
        "epochs_done": 3,
    }
    return info | changes


def curve(epochs: int, top: float) -> list[dict]:
    """Per-epoch metrics rising towards `top`."""
    return [
        {
            "epoch": e,
            "train_loss": 2.3 / e,
            "train_acc": top * e / epochs,
            "test_loss": 2.4 / e,
            "test_acc": 0.8 * top * e / epochs,
            "lr": 0.1,
            "seconds": 1.5,
            "images_per_second": 200.0,
        }
        for e in range(1, epochs + 1)
    ]


def write_study(folder: Path, runs: dict[str, tuple[str, int, dict, list[dict]]], **meta) -> Path:
    """A study folder: study.json plus, per run name, (label, seed, run.json, metrics rows)."""
    folder.mkdir(parents=True)
    study = {
        "name": folder.name,
        "question": "Does it learn?",
        "report": "It did.",
        "scale": "small",
        "dataset": "Synthetic CIFAR",
        "panels": ["accuracy", "loss"],
        "runs": [{"name": n, "label": r[0], "seed": r[1]} for n, r in runs.items()],
    } | meta
    (folder / "study.json").write_text(json.dumps(study))
    for name, (_, _, info, rows) in runs.items():
        (folder / name).mkdir()
        (folder / name / "run.json").write_text(json.dumps(info))
        (folder / name / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


DIVERGED = provenance(
    status="diverged",
    message="diverged: the loss became non-finite at epoch 2, step 7 (learning rate 10)",
    epochs_done=1,
)


@pytest.fixture
def study_folder(tmp_path) -> Path:
    """Two seeds of 'slow', one of 'fast', one run of 'huge lr' that diverged in epoch 2."""
    return write_study(
        tmp_path / "runs" / "small" / "speed",
        {
            "slow-s0": ("slow", 0, provenance(), curve(3, 0.5)),
            "slow-s1": ("slow", 1, provenance(), curve(3, 0.6)),
            "fast-s0": ("fast", 0, provenance(), curve(3, 0.9)),
            "huge-s0": ("huge lr", 0, DIVERGED, curve(1, 0.1)),
        },
    )


def texts(svg: str) -> str:
    """All text of an SVG (text stays text: svg.fonttype none)."""
    return " ".join("".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text"))


def test_figure_names_its_data_labels_axes_and_spread(study_folder):
    svg = render(load_study(study_folder))
    words = texts(svg)
    for expected in ("slow", "fast", "test", "train", "epoch", "accuracy (%)", "loss"):
        assert expected in words
    assert "Synthetic CIFAR: 300 train / 100 test images, scale small, seeds 0, 1" in words
    assert "mean over seeds, band: min-max" in words
    assert "huge lr (diverged: epoch 2, step 7, marked x)" in words


def test_figure_is_transparent_and_mid_grey(study_folder):
    svg = render(load_study(study_folder))
    root = ET.fromstring(svg)
    # No opaque background: the page's own colour shows through in light and dark mode.
    fills = [p.get("style", "") for p in root.iter(f"{SVG}path")]
    assert not any("fill: #ffffff" in f for f in fills)
    assert "#8a8a8a" in svg  # axes and text


def test_seeds_make_a_band_and_the_mean_line_sits_inside_it(study_folder):
    svg = render(load_study(study_folder))
    # fill_between draws the band with the alpha set in figures.band
    assert "opacity: 0.2" in svg
    rows = by_label(load_study(study_folder))
    slow = next(r for r in rows if r["label"] == "slow")
    assert slow["seeds"] == 2
    assert slow["test_acc"] == "44.0 % (40.0-48.0)"  # 0.8 * 0.5 and 0.8 * 0.6, mean 0.44


def test_figures_are_byte_identical_for_the_same_records(study_folder):
    study = load_study(study_folder)
    assert render(study) == render(study)


def test_figure_changes_when_the_records_change(study_folder):
    before = render(load_study(study_folder))
    rows = curve(3, 0.2)
    (study_folder / "fast-s0" / "metrics.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
    )
    assert render(load_study(study_folder)) != before


def test_summary_tables_say_status_and_divergence(study_folder):
    study = load_study(study_folder)
    table = markdown(study)
    assert "| huge lr | 1 | diverged |" in table
    assert "loss non-finite at epoch 2, step 7" in table
    assert "300 train / 100 test" in table
    lines = csv_text(study).splitlines()
    assert lines[0].startswith("run,label,seed,status")
    assert len(lines) == 5


def test_wall_time_table_adds_up_run_json_wall_times(study_folder):
    table = wall_time_markdown([load_study(study_folder)])
    assert "| speed | not in the report | 4 | 50 s |" in table  # 4 runs x 12.5 s
    assert "cpu: Test CPU, 2 cores, 2 threads" in table


def test_figures_command_writes_every_study(study_folder, tmp_path, capsys):
    root = tmp_path / "runs"
    write_study(root / "small" / "other", {"a-s0": ("a", 0, provenance(), curve(2, 0.3))})
    assert main(["figures", str(root), "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert written == ["small", "small/other.svg", "small/speed.svg"]


def test_figures_command_refuses_an_empty_folder(tmp_path, capsys):
    assert main(["figures", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no study records" in capsys.readouterr().err


# Provenance: each field the trainer writes is needed; a record missing one is refused by name.


@pytest.mark.parametrize("field", sorted(PROVENANCE))
def test_record_without_a_provenance_field_is_refused(study_folder, field):
    info = provenance()
    del info[field]
    (study_folder / "fast-s0" / "run.json").write_text(json.dumps(info))
    with pytest.raises(RecordError, match=f"fast-s0/run.json: .*'{field}' is missing"):
        load_study(study_folder)


@pytest.mark.parametrize(
    "changes, named",
    [
        ({"status": "running"}, "status is 'running'"),
        ({"git_commit": None}, "'git_commit' is not a"),
        ({"wall_seconds": True}, "'wall_seconds' is not a"),
        ({"data": {"path": "/data"}}, "'data.train_images' is missing"),
        ({"argv": []}, "'git_commit' or 'argv' is empty"),
    ],
)
def test_record_with_bad_provenance_is_refused(study_folder, changes, named):
    (study_folder / "slow-s1" / "run.json").write_text(json.dumps(provenance(**changes)))
    with pytest.raises(RecordError, match=named):
        load_study(study_folder)


def test_missing_or_broken_files_are_named(study_folder):
    (study_folder / "fast-s0" / "metrics.jsonl").write_text('{"epoch": 1}\nnot json\n')
    with pytest.raises(RecordError, match=r"fast-s0/metrics.jsonl, line 2: not valid JSON"):
        load_study(study_folder)
    (study_folder / "slow-s0" / "run.json").unlink()
    with pytest.raises(RecordError, match=r"slow-s0/run.json: missing"):
        load_study(study_folder)


def test_a_completed_run_needs_its_epochs(study_folder):
    (study_folder / "fast-s0" / "metrics.jsonl").write_text("")
    with pytest.raises(RecordError, match="completed run with no epochs"):
        load_study(study_folder)


def test_divergence_is_read_from_fields_and_from_old_messages(tmp_path):
    # Schema 2 stores where a run diverged as fields; schema-1 records only had the message.
    new = provenance(
        schema=2,
        status="diverged",
        message="diverged somewhere",
        diverged={"epoch": 3, "step": 4, "lr": 1.0},
        epochs_done=2,
    )
    folder = write_study(
        tmp_path / "mixed",
        {"old-s0": ("old", 0, DIVERGED, curve(1, 0.1)), "new-s0": ("new", 0, new, curve(2, 0.1))},
    )
    study = load_study(folder)
    assert [r.diverged for r in study.runs] == [
        {"epoch": 2, "step": 7, "lr": 10.0},
        {"epoch": 3, "step": 4, "lr": 1.0},
    ]
    assert "new (diverged: epoch 3, step 4, marked x)" in texts(render(study))


def test_a_one_epoch_run_is_drawn_as_a_point(tmp_path):
    folder = write_study(tmp_path / "one", {"a-s0": ("a", 0, provenance(), curve(1, 0.5))})
    svg = ET.fromstring(render(load_study(folder)))
    # A data series is a line2d group outside the tick groups; its markers are <use> elements.
    # One point of a plain line draws nothing: each series must carry a marker.
    ticks = [g for g in svg.iter(f"{SVG}g") if g.get("id", "").startswith(("xtick", "ytick"))]
    in_ticks = {id(e) for t in ticks for e in t.iter()}
    series = [
        g
        for g in svg.iter(f"{SVG}g")
        if g.get("id", "").startswith("line2d") and id(g) not in in_ticks
    ]
    drawn = [g for g in series if list(g.iter(f"{SVG}use"))]
    assert len(drawn) == 4, len(drawn)  # test and train, accuracy and loss


def test_generated_text_counts_in_the_singular(tmp_path):
    one = provenance(
        device_name="cpu: Test CPU, 1 cores, 1 threads",  # as records before 2026-11 said it
        epochs_done=1,
        overfit={"images": 10, "reached_100": True, "epochs": 1},
    )
    folder = write_study(tmp_path / "solo", {"a-s0": ("a", 0, one, curve(1, 0.5))})
    study = load_study(folder)
    table = wall_time_markdown([study])
    assert "(a, 1 epoch) |" in table and "1 core, 1 thread." in table
    assert "in 1 epoch" in markdown(study) and "1 epochs" not in markdown(study)
