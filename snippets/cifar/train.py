"""The training loop, read top to bottom, with the data and its augmentation on the device.

Call `train(TrainConfig(...))` from Python, or `cifar train` from a shell.

The loop only queues work: nothing in a step waits for the device. Metrics add up on the
device and are read at the end of each epoch; the loss is checked for divergence (and Ctrl-C
for a stop) every `check_every` steps, rolling back to the last good state if it diverged.
"""

import copy
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import torch
import torch.distributed as dist
from torch import Tensor, nn

from snippets.cifar.augment import (
    EpochPlan,
    channel_stats,
    crop,
    cutout,
    flip,
    normalise,
    plan_epoch,
    tta_logits,
)
from snippets.cifar.config import RUNTIME, TrainConfig, from_dict, resolve, to_dict
from snippets.cifar.data import Cifar10, load_cifar10
from snippets.cifar.device import (
    autocast,
    choose_device,
    describe,
    device_name,
    grad_scaler,
    resolve_precision,
    synchronize,
)
from snippets.cifar.distributed import (
    Processes,
    my_slice,
    per_process,
    shard,
    start,
    stop,
    sum_over_processes,
)
from snippets.cifar.errors import CifarError
from snippets.cifar.models import LN10, build_model, parameter_count
from snippets.cifar.objectives import Loss, make_loss
from snippets.cifar.optimizers import lookahead_step, make_optimizer, set_lr
from snippets.cifar.progress import Progress, plural
from snippets.cifar.recipe import Recipe, parse_recipe, prepare_model, tta_level
from snippets.cifar.rundir import RunFolder, load_checkpoint, provenance, tensorboard_writer
from snippets.cifar.schedules import lr_factor
from snippets.losses import cross_entropy

INITIAL_LOSS_TOLERANCE = 0.5  # a fresh classifier's cross-entropy should be ln 10 +- this


@dataclass
class TrainResult:
    """What a run did: its status, per-epoch metrics, the trained model and where files went."""

    status: str  # "completed", "diverged" or "interrupted"
    message: str
    config: TrainConfig
    history: list[dict] = field(default_factory=list)
    model: nn.Module | None = None
    out: Path | None = None

    @property
    def final(self) -> dict:
        """The last epoch's metrics ({} if no epoch finished)."""
        return self.history[-1] if self.history else {}


@dataclass
class Run:
    """What a run trains with, fixed once it starts."""

    config: TrainConfig
    device: torch.device
    processes: Processes
    data: Cifar10  # on the device: the whole training set, this process's shard of the test set
    mean: Tensor
    std: Tensor
    model: nn.Module  # the weights (what a checkpoint saves)
    net: nn.Module  # what the step calls: the model, compiled and/or wrapped in DDP
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    loss_fn: Loss
    batch: int  # global images per step
    steps: int  # steps per epoch
    folder: RunFolder | None  # None: nothing is written (or not the main process)
    progress: Progress
    info: dict  # run.json
    recipe: Recipe  # the speed records' parts this run uses (`--recipe`)

    def lr(self, epoch: int, step: int) -> float:
        """The learning rate of `step` of `epoch` (both from 0)."""
        done = (epoch * self.steps + step) / (self.config.epochs * self.steps)
        return self.config.lr * lr_factor(self.config.schedule, done)


@dataclass
class State:
    """Where a run is: what a checkpoint saves and a resume restores."""

    epoch: int = 0  # epochs finished
    step: int = 0  # steps finished in the current epoch
    history: list[dict] = field(default_factory=list)
    sums: Tensor | None = None  # on the device, this epoch so far: loss sum, correct
    images: int = 0  # images this process has trained on this epoch
    seconds: float = 0.0  # training time this epoch, the device synchronised at both ends
    good: dict | None = None  # model and optimiser state at the last check (for a rollback)


class Diverged(Exception):
    """The loss stopped being a finite number: (epoch, step) from 1, and the learning rate."""


class StopRequested(Exception):
    """Ctrl-C was pressed: stop at the next check, keeping a checkpoint to resume from."""


# --8<-- [start:batch]
def training_batch(
    images: Tensor, numbers: Tensor, plan: EpochPlan, config: TrainConfig, stats: tuple
) -> Tensor:
    """Images `numbers` (image numbers) of the uint8 training set, augmented and normalised."""
    x = images[numbers]  # uint8 (N, 3, 32, 32), already on the device
    if config.augment and not config.overfit:
        reflect = parse_recipe(config.recipe).reflect  # cached: no parsing per step
        x = flip(crop(x, plan.shift[numbers], config.pad, reflect), plan.flip[numbers])
    x = normalise(x, stats[0], stats[1])
    if config.augment and config.cutout and not config.overfit:
        x = cutout(x, plan.centre[numbers], config.cutout)
    return x


# --8<-- [end:batch]


@torch.no_grad()
def evaluate(
    model: nn.Module,
    images: Tensor,
    labels: Tensor,
    stats: tuple,
    loss_fn: Loss,
    batch_size: int = 1024,
    tta: int = 0,
    processes: Processes | None = None,
    precision: str = "fp32",
) -> tuple[float, float]:
    """Mean loss and accuracy of `model` on uint8 `images` (summed over every process's shard).

    `tta` is the level of test-time augmentation (`augment.tta_logits`; True means 1).
    """
    was_training = model.training
    model.eval()
    totals = torch.zeros(2, device=images.device)  # loss sum, correct
    for x, y in zip(images.split(batch_size), labels.split(batch_size), strict=True):
        x = channels_last_if_wanted(model, normalise(x, stats[0], stats[1]))
        with autocast(x.device, precision):
            logits = tta_logits(model, x, int(tta))
        totals += torch.stack([loss_fn(logits, y) * len(y), (logits.argmax(1) == y).sum()])
    model.train(was_training)
    count = torch.tensor([float(len(labels))], device=images.device)
    loss, correct, count = sum_over_processes(torch.cat([totals, count]), processes or Processes())
    loss, correct, count = (loss.item(), correct.item(), count.item())
    return loss / max(count, 1), correct / max(count, 1)


def channels_last_if_wanted(model: nn.Module, x: Tensor) -> Tensor:
    """NHWC for models that ask for it, on CUDA (on CPU it measured slower)."""
    if getattr(model, "channels_last", False) and x.is_cuda:
        return x.contiguous(memory_format=torch.channels_last)
    return x


@contextmanager
def ctrl_c_stops_at_the_next_check():
    """The first Ctrl-C sets a flag the loop reads at its next check; a second one aborts."""
    flag = {"stop": False}
    if threading.current_thread() is not threading.main_thread():
        yield flag  # signals can only be handled in the main thread
        return

    def handler(signum, frame):
        if flag["stop"]:
            raise KeyboardInterrupt
        flag["stop"] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def prepare(config: TrainConfig) -> tuple[TrainConfig, dict | None, torch.device, str | None]:
    """Check everything that can be checked before any file is written."""
    asked = config
    config = resolve(config)
    saved = None
    if config.resume:
        saved = load_checkpoint(config.out)
        recorded = from_dict(saved["config"])
        refuse_changes(asked, recorded)
        runtime = {name: getattr(config, name) for name in RUNTIME}
        config = resolve(replace(recorded, **runtime))
    elif config.out and RunFolder(Path(config.out)).holds_a_run():
        raise CifarError(
            f"{config.out} already holds a run; pass --resume to continue it or choose another "
            "--out"
        )
    device, notice = choose_device(config.device)
    config = replace(config, precision=resolve_precision(config.precision, device))
    return config, saved, device, notice


def refuse_changes(asked: TrainConfig, recorded: TrainConfig) -> None:
    """A resume continues the run as it was made: an option that would change it is an error."""
    default = TrainConfig()
    for f in fields(TrainConfig):
        value = getattr(asked, f.name)
        if f.name in RUNTIME or value == getattr(default, f.name):
            continue
        if value != getattr(recorded, f.name):
            option = "--" + f.name.replace("_", "-")
            raise CifarError(
                f"{option} {value} differs from the run's {getattr(recorded, f.name)}: --resume "
                f"continues the run in {asked.out} as it was made; only "
                f"{', '.join('--' + n.replace('_', '-') for n in RUNTIME)} may change. Start a "
                "new run (another --out) to train differently."
            )


def load_data(config: TrainConfig, processes: Processes) -> Cifar10:
    """The dataset (the main process downloads it first if needed), checked against the config."""
    if processes.world > 1 and not processes.main:
        dist.barrier()  # wait for the main process to download
    data = load_cifar10(config.data_dir, download_missing=config.download)
    if processes.world > 1 and processes.main:
        dist.barrier()
    n = len(data.train_images)
    if config.overfit:
        if config.overfit > n:
            raise CifarError(f"--overfit {config.overfit}: {data.path} holds only {n} images")
        data = replace(
            data,
            train_images=data.train_images[: config.overfit],
            train_labels=data.train_labels[: config.overfit],
        )
    elif config.batch_size > n:
        raise CifarError(
            f"--batch-size {config.batch_size} is larger than the {n} training images in "
            f"{data.path}; use at most {n}"
        )
    per_process(min(config.batch_size, len(data.train_images)), processes)
    if len(data.test_images) < processes.world:
        raise CifarError(f"{data.path}: fewer test images than the {processes.world} processes")
    return data


def train(config: TrainConfig, argv: list[str] | None = None) -> TrainResult:
    """Train one model as `config` says; write the run folder if `config.out` is set.

    Bad input raises CifarError before anything is written. A non-finite loss or Ctrl-C ends
    the run with status "diverged" or "interrupted" (a checkpoint is kept), not an exception.
    """
    config, saved, device, notice = prepare(config)
    processes = start(device)
    finished = False
    try:
        data = load_data(config, processes)
        run, state = set_up(config, saved, device, processes, data, argv)
        if notice and processes.main:
            print(notice, file=sys.stderr)  # a fallback is announced, even with --quiet
        result = run_epochs(run, state)
        finished = True
        return result
    finally:
        stop(together=finished)


def set_up(
    config: TrainConfig,
    saved: dict | None,
    device: torch.device,
    processes: Processes,
    data: Cifar10,
    argv: list[str] | None,
) -> tuple[Run, State]:
    """The data on the device, the model, its optimiser and the starting state."""
    torch.manual_seed(config.seed)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # pick the fastest conv kernels for these shapes
    n = len(data.train_images)
    batch = min(config.batch_size, n)
    mean, std = (saved["mean"], saved["std"]) if saved else channel_stats(data.train_images)
    on_device = Cifar10(  # every process holds the whole training set: equal slices per step
        data.train_images.to(device),
        data.train_labels.to(device),
        shard(data.test_images, processes).to(device),
        shard(data.test_labels, processes).to(device),
        data.classes,
        data.path,
    )
    mean, std = mean.to(device), std.to(device)

    recipe = parse_recipe(config.recipe)
    model = prepare_model(build_model(config.model, config.activation, config.width), recipe)
    model = model.to(device)
    if hasattr(model, "fit_whitening"):  # speednet's first layer: fitted on the device, in fp32
        model.fit_whitening(normalise(on_device.train_images[:5000], mean, std))
    if getattr(model, "channels_last", False) and device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(model, config)
    net = torch.compile(model) if config.compile else model  # compile first, then wrap in DDP
    if processes.world > 1:
        ids = [device.index] if device.type == "cuda" else None
        net = nn.parallel.DistributedDataParallel(net, device_ids=ids)

    state = State(sums=torch.zeros(2, device=device))
    if saved:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        state.epoch, state.step, state.history = saved["epoch"], saved["step"], saved["history"]
        state.sums, state.images = saved["sums"].to(device), saved["images"]
        state.seconds = saved["seconds"]
    scaler = grad_scaler(device, config.precision)
    if saved and saved.get("scaler"):
        scaler.load_state_dict(saved["scaler"])

    folder = RunFolder(Path(config.out)) if config.out and processes.main else None
    progress = Progress(config.epochs, n // batch, enabled=config.progress and processes.main)
    progress.say(describe(device, config.precision))
    initial_loss = saved.get("initial_loss") if saved else None
    if not saved:
        initial_loss = measure_initial_loss(model, on_device, mean, std, batch, config)
        if abs(initial_loss - LN10) > INITIAL_LOSS_TOLERANCE:
            progress.say(
                f"warning: initial loss {initial_loss:.3f} is far from ln 10 = {LN10:.3f}: the "
                "fresh model is confidently wrong; check the last layer's initialisation or "
                "output scale"
            )
    info = {
        **provenance(device, device_name(device), argv),
        "precision": config.precision,
        "world_size": processes.world,
        "config": to_dict(config),
        "data": {
            "path": str(data.path),
            "train_images": n,
            "test_images": len(data.test_images),
            "classes": data.classes,
        },
        "parameters": parameter_count(model),
        "initial_loss": initial_loss,
    }
    loss_fn = make_loss(config.loss, config.label_smoothing)
    run = Run(config, device, processes, on_device, mean, std, model, net, optimizer, scaler,
              loss_fn, batch, n // batch, folder, progress, info, recipe)  # fmt: skip
    return run, state


@torch.no_grad()
def measure_initial_loss(model, data: Cifar10, mean, std, batch: int, config) -> float:
    """The fresh model's cross-entropy on the first batch: ln 10 if it knows nothing yet."""
    x = normalise(data.train_images[:batch], mean, std)
    with autocast(x.device, config.precision):
        logits = model.eval()(channels_last_if_wanted(model, x)).float()
    model.train()
    return cross_entropy(logits, data.train_labels[:batch]).item()


def snapshot(run: Run) -> dict:
    """The model and optimiser state as it is now, copied (what a rollback returns to)."""
    return copy.deepcopy({"model": run.model.state_dict(), "optimizer": run.optimizer.state_dict()})


def run_epochs(run: Run, state: State) -> TrainResult:
    """Every epoch left, then the outcome; files are written after each epoch."""
    wall_start = time.time()
    if run.folder:
        run.folder.write_run({**run.info, "status": "running"})
    board = tensorboard_writer(run.folder.tensorboard) if run.folder else None
    try:
        with ctrl_c_stops_at_the_next_check() as ctrl_c:
            state.good = snapshot(run)
            # --8<-- [start:loop]
            while state.epoch < run.config.epochs:
                train_epoch(run, state, ctrl_c)
                row = end_epoch(run, state, board)
                if run.config.overfit and row["overfit_acc"] == 1.0:
                    break
            # --8<-- [end:loop]
    except Diverged as error:
        epoch, step, lr = error.args
        run.model.load_state_dict(state.good["model"])  # roll back to the last good check
        run.optimizer.load_state_dict(state.good["optimizer"])
        message = (
            f"diverged: the loss became non-finite at epoch {epoch}, step {step} (learning rate "
            f"{lr:.3g}). The model is rolled back to the last check; the last epoch's checkpoint "
            "is kept. Try a 3-10x smaller --lr, a warm-up (--schedule onecycle), or --optimizer "
            "adamw."
        )
        where = {"epoch": epoch, "step": step, "lr": lr}
        return finish(run, state, wall_start, "diverged", message, diverged=where)
    except StopRequested:
        save_checkpoint(run, state)
        where = f"epoch {state.epoch + 1}, step {state.step}"
        message = f"interrupted after {where}; continue with --resume"
        return finish(run, state, wall_start, "interrupted", message)
    except KeyboardInterrupt:  # a second Ctrl-C: stop now, keep the last epoch's checkpoint
        message = "aborted; the last epoch's checkpoint is kept (--resume)"
        return finish(run, state, wall_start, "interrupted", message)
    except torch.OutOfMemoryError as error:
        finish(run, state, wall_start, "failed", f"out of memory: {error}")
        raise CifarError(
            f"out of memory on {run.device} at batch size {run.batch}: try --batch-size "
            f"{run.batch // 2}"
        ) from error
    except BaseException as error:  # a bug: record it, then let the traceback through
        finish(run, state, wall_start, "failed", f"failed: {error!r}")
        raise
    finally:
        if board:
            board.close()
    return finish(run, state, wall_start, "completed", completed_message(run, state, wall_start))


def train_epoch(run: Run, state: State, ctrl_c: dict) -> None:
    """The steps left in this epoch, queued without waiting for the device."""
    config = run.config
    n, alternate = len(run.data.train_images), run.recipe.alternate_flip
    plan = plan_epoch(n, config.seed, state.epoch, config.pad, run.device, alternate)
    run.net.train()
    losses = torch.zeros(config.check_every, device=run.device)  # since the last check
    synchronize(run.device)
    started = time.perf_counter()
    first = state.step
    try:
        for step in range(first, run.steps):
            numbers = my_slice(plan.order[step * run.batch : (step + 1) * run.batch], run.processes)
            x = training_batch(run.data.train_images, numbers, plan, config, (run.mean, run.std))
            y = run.data.train_labels[numbers]
            loss, correct = train_step(run, x, y, state.epoch, step)
            losses[(step - first) % config.check_every] = loss.detach()
            state.sums += torch.stack([loss.detach() * len(y), correct])
            state.images += len(y)
            state.step = step + 1
            since = (step - first) % config.check_every + 1
            alone_and_stopped = ctrl_c["stop"] and run.processes.world == 1  # a Python flag
            if since == config.check_every or state.step == run.steps or alone_and_stopped:
                check(run, state, losses[:since], ctrl_c)
            run.progress.step(state.epoch + 1, state.step, state.sums, state.images, started)
    finally:
        synchronize(run.device)  # the clock stops when the device has finished, not when queued
        state.seconds += time.perf_counter() - started


def train_step(run: Run, x: Tensor, y: Tensor, epoch: int, step: int) -> tuple[Tensor, Tensor]:
    """Step `step` of `epoch` (from 0) on the batch (x, y); the loss and the number right, on
    the device."""
    set_lr(run.optimizer, run.lr(epoch, step), epoch)  # per group: scaled, or 0 once frozen
    with autocast(run.device, run.config.precision):
        logits = run.net(channels_last_if_wanted(run.model, x))
    loss = run.loss_fn(logits.float(), y)
    run.optimizer.zero_grad(set_to_none=True)
    run.scaler.scale(loss).backward()  # DDP averages the gradients: the global batch's mean
    run.scaler.step(run.optimizer)
    run.scaler.update()
    lookahead_step(run.optimizer, epoch * run.steps + step + 1, run.config.epochs * run.steps)
    return loss, (logits.argmax(1) == y).sum()


def check(run: Run, state: State, losses: Tensor, ctrl_c: dict) -> None:
    """The one host read in `check_every` steps: did the loss stay finite, was Ctrl-C pressed?

    All processes agree: the losses and the stop flags are summed over processes first.
    """
    stop = torch.tensor([float(ctrl_c["stop"])], device=losses.device)
    read = sum_over_processes(torch.cat([losses, stop]), run.processes).tolist()
    bad = [i for i, value in enumerate(read[:-1]) if not abs(value) < float("inf")]
    if bad:
        step = state.step - len(losses) + bad[0]  # from 0
        raise Diverged(state.epoch + 1, step + 1, run.lr(state.epoch, step))
    state.good = snapshot(run)
    if read[-1] > 0:  # Ctrl-C, here or in another process
        raise StopRequested


def end_epoch(run: Run, state: State, board) -> dict:
    """Test, record the epoch's row, write the checkpoint and metrics, print a line."""
    config, processes = run.config, run.processes
    totals = sum_over_processes(state.sums.clone(), processes).tolist()
    images = state.images * processes.world  # every process took an equal slice
    state.epoch, state.step = state.epoch + 1, 0
    row = {"epoch": state.epoch, "train_loss": totals[0] / images, "train_acc": totals[1] / images}
    row["test_loss"] = row["test_acc"] = None
    if state.epoch % config.eval_every == 0 or state.epoch == config.epochs or config.overfit:
        row["test_loss"], row["test_acc"] = evaluate(
            run.net, run.data.test_images, run.data.test_labels, (run.mean, run.std), run.loss_fn,
            tta=tta_level(config.tta, run.recipe), processes=processes,
            precision=config.precision,
        )  # fmt: skip
    if config.overfit:  # accuracy on the fixed images themselves, in eval mode (not sharded)
        _, row["overfit_acc"] = evaluate(
            run.net, run.data.train_images, run.data.train_labels, (run.mean, run.std),
            run.loss_fn, precision=config.precision,
        )  # fmt: skip
    row |= {
        "lr": run.lr(state.epoch - 1, run.steps - 1),
        "seconds": state.seconds,
        "images_per_second": images / state.seconds,
    }
    state.history.append(row)
    state.sums.zero_()
    state.images, state.seconds = 0, 0.0
    save_checkpoint(run, state)
    if run.folder:
        run.folder.write_metrics(state.history)
    if board:
        for key, value in row.items():
            if key != "epoch" and value is not None:
                board.add_scalar(key, value, state.epoch)
    per_epoch = sum(r["seconds"] for r in state.history) / len(state.history)
    run.progress.epoch(row, per_epoch * (config.epochs - state.epoch))
    return row


def save_checkpoint(run: Run, state: State) -> None:
    """Everything a resume, `evaluate` and `predict` need, into the run folder."""
    if not run.folder:
        return
    run.folder.save_checkpoint(
        {
            "config": to_dict(run.config),
            "model": run.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scaler": run.scaler.state_dict(),
            "epoch": state.epoch,
            "step": state.step,
            "sums": state.sums.cpu(),
            "images": state.images,
            "seconds": state.seconds,
            "history": state.history,
            "classes": run.data.classes,
            "mean": run.mean.cpu(),
            "std": run.std.cpu(),
            "initial_loss": run.info["initial_loss"],
        }
    )


def completed_message(run: Run, state: State, wall_start: float) -> str:
    """The last line of a completed run (and run.json's overfit verdict)."""
    epochs = plural(len(state.history), "epoch")
    if run.config.overfit:
        n = len(run.data.train_images)
        reached = state.history[-1]["overfit_acc"] == 1.0
        run.info["overfit"] = {"images": n, "reached_100": reached, "epochs": len(state.history)}
        if reached:
            return f"overfit {n} images: reached 100 % in {epochs}"
        return f"overfit {n} images: did NOT reach 100 % (a bug in data, labels, loss or model?)"
    out = f"; run folder {run.folder.path}" if run.folder else ""
    return (
        f"done: test accuracy {state.history[-1]['test_acc']:.2%} after {epochs} "
        f"({time.time() - wall_start:.1f}s){out}"
    )


def finish(run: Run, state: State, wall_start: float, status: str, message: str, **more):
    """Record the outcome in run.json, say it, and return it."""
    if run.folder:
        run.info |= {
            "status": status,
            "message": message,
            **more,
            "wall_seconds": time.time() - wall_start,
            "epochs_done": len(state.history),
            "final": state.history[-1] if state.history else {},
        }
        run.folder.write_run(run.info)
    run.progress.say(message)
    out = run.folder.path if run.folder else None
    return TrainResult(status, message, run.config, state.history, run.model.eval(), out)
