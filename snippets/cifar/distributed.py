"""torchrun support: who am I, which device is mine, and summing numbers over all processes.

Under `torchrun --nproc_per_node=N` every process gets RANK, LOCAL_RANK and WORLD_SIZE in its
environment. Each process holds only its shard of the data: the images whose number i
satisfies i % world == rank.
"""

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import Tensor

from snippets.cifar.errors import CifarError
from snippets.device import pick_device


@dataclass(frozen=True)
class Processes:
    """This process's place in the run: rank 0 of 1 when not launched by torchrun."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Only the main process prints and writes files."""
        return self.rank == 0


def launched_by_torchrun() -> bool:
    """True when torchrun (or another launcher) set WORLD_SIZE for this process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def choose_device(prefer: str) -> torch.device:
    """`prefer` ('auto', 'cpu', 'cuda', ...) as a device; under torchrun, cuda:LOCAL_RANK."""
    try:
        device = pick_device(prefer)
    except RuntimeError as error:
        raise CifarError(f"--device {prefer}: {error}; use --device cpu or auto") from error
    if device.type == "cuda" and launched_by_torchrun():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return device


def start(device: torch.device) -> Processes:
    """Join the process group when launched by torchrun: NCCL on GPUs, gloo on the CPU."""
    if not launched_by_torchrun():
        return Processes()
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Processes(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))


def stop() -> None:
    """Leave the process group, if this process joined one."""
    if dist.is_initialized():
        dist.destroy_process_group()


def sum_over_processes(values: Tensor, processes: Processes) -> Tensor:
    """`values` summed over every process (returned unchanged in a single process)."""
    if processes.world > 1:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def shard(tensor: Tensor, processes: Processes) -> Tensor:
    """This process's rows: numbers rank, rank + world, rank + 2 * world, ..."""
    return tensor[processes.rank :: processes.world]
