"""The training loop, read top to bottom, with the data and its augmentation on the device.

Call `train(TrainConfig(...))` from Python, or `python -m snippets.cifar train` from a shell.
"""

import math
import signal
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
import torch.distributed as dist
from torch import Tensor, nn

from snippets.cifar import records
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
from snippets.cifar.checkpoint import FORMAT, load_checkpoint
from snippets.cifar.config import RUNTIME, TrainConfig, from_dict, resolve, to_dict
from snippets.cifar.data import Cifar10, load_cifar10
from snippets.cifar.distributed import (
    Processes,
    choose_device,
    shard,
    start,
    stop,
    sum_over_processes,
)
from snippets.cifar.errors import CifarError
from snippets.cifar.models import LN10, build_model, parameter_count
from snippets.cifar.objectives import Loss, make_loss
from snippets.cifar.optim import lookahead_step, make_optimizer, set_lr
from snippets.cifar.progress import Progress
from snippets.cifar.recipe import parse_recipe, prepare_model, tta_level
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


class Diverged(Exception):
    """The loss stopped being a finite number."""


class StopRequested(Exception):
    """Ctrl-C was pressed: stop after this step, keeping a checkpoint to resume from."""


# --8<-- [start:batch]
def training_batch(
    images: Tensor, numbers: Tensor, plan: EpochPlan, config: TrainConfig, stats: tuple
) -> Tensor:
    """Images `numbers` (global image numbers) of this process's shard, augmented, normalised."""
    x = images[numbers // stats[2]]  # uint8 (N, 3, 32, 32), already on the device
    if config.augment and not config.overfit:
        reflect = parse_recipe(config.recipe).reflect
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
) -> tuple[float, float]:
    """Mean loss and accuracy of `model` on uint8 `images` (summed over every process's shard).

    `tta` is the level of test-time augmentation (`augment.tta_logits`; True means 1).
    """
    was_training = model.training
    model.eval()
    totals = torch.zeros(3, device=images.device)  # loss sum, correct, count
    for x, y in zip(images.split(batch_size), labels.split(batch_size), strict=True):
        x = channels_last_if_wanted(model, normalise(x, stats[0], stats[1]))
        with autocast(x.device):
            logits = tta_logits(model, x, int(tta))
        correct = (logits.argmax(1) == y).sum().float()
        totals += torch.stack([loss_fn(logits, y) * len(y), correct, logits.new_tensor(len(y))])
    model.train(was_training)
    loss, correct, count = sum_over_processes(totals, processes or Processes()).tolist()
    return loss / max(count, 1), correct / max(count, 1)


def autocast(device: torch.device):
    """bf16 autocast on CUDA (tensor cores, no loss scaling needed); plain float32 elsewhere."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def channels_last_if_wanted(model: nn.Module, x: Tensor) -> Tensor:
    """NHWC for models that ask for it, on CUDA (on CPU it measured slower)."""
    if getattr(model, "channels_last", False) and x.is_cuda:
        return x.contiguous(memory_format=torch.channels_last)
    return x


@contextmanager
def ctrl_c_stops_after_the_step():
    """The first Ctrl-C sets a flag the loop checks after each step; a second one aborts."""
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


def prepare(config: TrainConfig) -> tuple[TrainConfig, dict | None, torch.device]:
    """Check everything that can be checked before any file is written."""
    config = resolve(config)
    device = choose_device(config.device)
    saved = None
    out = Path(config.out) if config.out else None
    if config.resume:
        saved = load_checkpoint(out)
        runtime = {name: getattr(config, name) for name in RUNTIME}
        config = resolve(replace(from_dict(saved["config"]), **runtime))
    elif out is not None and (out / records.RUN).exists():
        raise CifarError(
            f"{out} already holds a run; pass --resume to continue it or choose another --out"
        )
    return config, saved, device


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
    if n < processes.world or len(data.test_images) < processes.world:
        raise CifarError(f"{data.path}: fewer images than the {processes.world} processes")
    return data


def train(config: TrainConfig, argv: list[str] | None = None) -> TrainResult:
    """Train one model as `config` says; write the run folder if `config.out` is set.

    Bad input raises CifarError before anything is written. A non-finite loss or Ctrl-C ends
    the run with status "diverged" or "interrupted" (a checkpoint is kept), not an exception.
    """
    config, saved, device = prepare(config)
    processes = start(device)
    try:
        data = load_data(config, processes)
        return run(config, saved, device, processes, data, argv)
    finally:
        stop()


def run(
    config: TrainConfig,
    saved: dict | None,
    device: torch.device,
    processes: Processes,
    data: Cifar10,
    argv: list[str] | None,
) -> TrainResult:
    """The loop itself, once inputs are known good."""
    wall_start = time.time()
    out = Path(config.out) if config.out and processes.main else None
    rank, world = processes.rank, processes.world
    # --8<-- [start:setup]
    torch.manual_seed(config.seed)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # pick the fastest conv kernels for these shapes
    n = len(data.train_images)
    batch = min(config.batch_size, n)
    steps = n // batch  # the last partial batch is dropped
    total_steps = config.epochs * steps
    mean, std = (saved["mean"], saved["std"]) if saved else channel_stats(data.train_images)
    stats = (mean.to(device), std.to(device), world)
    train_x, train_y = shard(data.train_images, processes), shard(data.train_labels, processes)
    test_x, test_y = shard(data.test_images, processes), shard(data.test_labels, processes)
    train_x, train_y, test_x, test_y = (t.to(device) for t in (train_x, train_y, test_x, test_y))

    recipe = parse_recipe(config.recipe)
    model = prepare_model(build_model(config.model, config.activation, config.width), recipe)
    model = model.to(device)
    if hasattr(model, "fit_whitening"):  # speednet's first layer is fitted to the data
        model.fit_whitening(normalise(train_x[:5000], *stats[:2]))
    if getattr(model, "channels_last", False) and device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(model, config)
    loss_fn = make_loss(config.loss, config.label_smoothing)
    net = torch.compile(model) if config.compile else model
    train_net = nn.parallel.DistributedDataParallel(net) if world > 1 else net
    # --8<-- [end:setup]

    history, epoch, first_step = [], 0, 0
    sums, seconds = torch.zeros(3, device=device), 0.0  # loss sum, correct, images; train time
    initial_loss = None
    if saved:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        history, epoch, first_step = saved["history"], saved["epoch"], saved["step"]
        sums, seconds = saved["sums"].to(device), saved["seconds"]
    else:
        x = normalise(train_x[:batch], *stats[:2])
        with torch.no_grad(), autocast(device):
            initial_loss = cross_entropy(
                model.eval()(channels_last_if_wanted(model, x)).float(), train_y[:batch]
            ).item()
        model.train()

    progress = Progress(config.epochs, steps, enabled=config.progress and processes.main)
    if initial_loss is not None and abs(initial_loss - LN10) > INITIAL_LOSS_TOLERANCE:
        progress.say(
            f"warning: initial loss {initial_loss:.3f} is far from ln 10 = {LN10:.3f}: the fresh "
            "model is confidently wrong; check the last layer's initialisation or output scale"
        )
    run_info = {
        **records.provenance(device, argv),
        "world_size": world,
        "config": to_dict(config),
        "data": {
            "path": str(data.path),
            "train_images": n,
            "test_images": len(data.test_images),
            "classes": data.classes,
        },
        "parameters": parameter_count(model),
        "initial_loss": initial_loss if saved is None else saved.get("initial_loss"),
    }

    def checkpoint(epoch: int, step: int) -> None:
        if out:
            records.save_checkpoint(
                out / records.CHECKPOINT,
                {
                    "format": FORMAT,
                    "config": to_dict(config),
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "epoch": epoch,
                    "step": step,
                    "sums": sums.cpu(),
                    "seconds": seconds,
                    "history": history,
                    "classes": data.classes,
                    "mean": mean,
                    "std": std,
                    "initial_loss": run_info["initial_loss"],
                },
            )

    def finish(status: str, message: str) -> TrainResult:
        if out:
            run_info.update(
                status=status,
                message=message,
                wall_seconds=time.time() - wall_start,
                epochs_done=len(history),
                final=history[-1] if history else {},
            )
            records.write_json(out / records.RUN, run_info)
        progress.say(message)
        return TrainResult(status, message, config, history, model.eval(), out)

    if out:
        out.mkdir(parents=True, exist_ok=True)
        records.write_json(out / records.RUN, {**run_info, "status": "running"})
    board = records.tensorboard_writer(out / "tensorboard") if out else None
    try:
        with ctrl_c_stops_after_the_step() as ctrl_c:
            # --8<-- [start:loop]
            while epoch < config.epochs:
                plan = plan_epoch(n, config.seed, epoch, config.pad, device, recipe.alternate_flip)
                train_net.train()
                for step in range(first_step, steps):
                    started = time.perf_counter()
                    numbers = plan.order[step * batch : (step + 1) * batch]  # global image numbers
                    mine = numbers[numbers % world == rank]  # those held by this process
                    count = len(mine)
                    if count == 0:  # rare: none are mine; join the gradient all-reduce anyway
                        mine = numbers.new_tensor([rank])
                    x = training_batch(train_x, mine, plan, config, stats)
                    y = train_y[mine // world]
                    lr = config.lr * lr_factor(
                        config.schedule, (epoch * steps + step) / total_steps
                    )
                    set_lr(optimizer, lr, epoch)  # per group: scaled, or 0 once frozen

                    with autocast(device):
                        logits = train_net(channels_last_if_wanted(model, x))
                    loss = loss_fn(logits.float(), y)
                    correct = ((logits.argmax(1) == y).sum() * (count > 0)).float()
                    stop = float(ctrl_c["stop"])  # all processes stop at the same step
                    step_sums = torch.stack(
                        [
                            loss.detach() * count,
                            correct,
                            loss.new_tensor(count),
                            loss.new_tensor(stop),
                        ]
                    )
                    step_sums = sum_over_processes(step_sums, processes)
                    if not math.isfinite(step_sums[0].item()):  # the divergence guard
                        raise Diverged(epoch, step, lr)
                    optimizer.zero_grad(set_to_none=True)
                    # Scaled so that the gradient averaged over processes is the whole batch's.
                    (loss * (count * world / len(numbers))).backward()
                    optimizer.step()
                    lookahead_step(optimizer, epoch * steps + step + 1, total_steps)

                    sums += step_sums[:3]
                    seconds += time.perf_counter() - started
                    if step_sums[3] > 0:  # Ctrl-C, here or in another process
                        first_step = step + 1
                        raise StopRequested
                    left = (
                        seconds / sums[2].item() * (total_steps - epoch * steps - step - 1) * batch
                    )
                    train_loss, train_acc = (sums[:2] / sums[2]).tolist()
                    rate = sums[2].item() / seconds
                    progress.step(epoch + 1, step + 1, train_loss, train_acc, rate, left)
                # --8<-- [end:loop]
                first_step, epoch = 0, epoch + 1
                row = {
                    "epoch": epoch,
                    "train_loss": (sums[0] / sums[2]).item(),
                    "train_acc": (sums[1] / sums[2]).item(),
                }
                if epoch % config.eval_every == 0 or epoch == config.epochs or config.overfit:
                    row["test_loss"], row["test_acc"] = evaluate(
                        net,
                        test_x,
                        test_y,
                        stats,
                        loss_fn,
                        tta=tta_level(config.tta, recipe),
                        processes=processes,
                    )
                else:
                    row["test_loss"] = row["test_acc"] = None
                if config.overfit:  # accuracy on the fixed images themselves, in eval mode
                    _, row["overfit_acc"] = evaluate(
                        net, train_x, train_y, stats, loss_fn, processes=processes
                    )
                row |= {
                    "lr": config.lr * lr_factor(config.schedule, (epoch * steps - 1) / total_steps),
                    "seconds": seconds,
                    "images_per_second": sums[2].item() / seconds,
                }
                history.append(row)
                sums.zero_()
                seconds = 0.0
                checkpoint(epoch, 0)
                if out:
                    records.write_metrics(out / records.METRICS, history)
                if board:
                    for key, value in row.items():
                        if key != "epoch" and value is not None:
                            board.add_scalar(key, value, epoch)
                per_epoch = sum(r["seconds"] for r in history) / len(history)
                progress.epoch(row, per_epoch * (config.epochs - epoch))
                if config.overfit and row["overfit_acc"] == 1.0:
                    break
    except Diverged as error:
        d_epoch, d_step, d_lr = error.args
        return finish(
            "diverged",
            f"diverged: the loss became non-finite at epoch {d_epoch + 1}, step {d_step + 1} "
            f"(learning rate {d_lr:.3g}). The last good checkpoint is kept. Try a 3-10x smaller "
            "--lr, a warm-up (--schedule onecycle), or --optimizer adamw.",
        )
    except StopRequested:
        checkpoint(epoch, first_step)
        where = f"epoch {epoch + 1}, step {first_step}"
        return finish("interrupted", f"interrupted after {where}; continue with --resume")
    except KeyboardInterrupt:  # a second Ctrl-C: stop now, keep the last epoch's checkpoint
        return finish("interrupted", "aborted; the last epoch's checkpoint is kept (--resume)")
    except torch.OutOfMemoryError as error:
        finish("failed", f"out of memory: {error}")
        raise CifarError(
            f"out of memory on {device} at batch size {batch}: try --batch-size {batch // 2}"
        ) from error
    except BaseException as error:  # a bug: record it, then let the traceback through
        finish("failed", f"failed: {error!r}")
        raise
    finally:
        if board:
            board.close()

    if config.overfit:
        reached = history[-1]["overfit_acc"] == 1.0
        run_info["overfit"] = {"images": n, "reached_100": reached, "epochs": len(history)}
        verdict = "reached 100 %" if reached else "did NOT reach 100 % (a bug in data, labels,"
        verdict += f" in {len(history)} epochs" if reached else " loss or model?)"
        return finish("completed", f"overfit {n} images: {verdict}")
    final = history[-1]
    return finish(
        "completed",
        f"done: test accuracy {final['test_acc']:.2%} after {len(history)} epochs "
        f"({time.time() - wall_start:.1f}s)" + (f"; run folder {out}" if out else ""),
    )
