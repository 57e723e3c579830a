"""torchrun support: who am I, which device is mine, and summing numbers over all processes.

Under `torchrun --nproc_per_node=N` every process gets RANK, LOCAL_RANK and WORLD_SIZE in its
environment. Every process holds the whole training set on its device and trains on its own
equal slice of each global batch, so per-process shapes never change from step to step; the
test set is sharded: the images whose number i satisfies i % world == rank.
"""

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import Tensor

from snippets.cifar.errors import CifarError


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


def start(device: torch.device) -> Processes:
    """Join the process group when launched by torchrun: NCCL on GPUs, gloo on the CPU."""
    if not launched_by_torchrun():
        return Processes()
    if not dist.is_initialized():
        if device.type == "cuda":  # device_id: NCCL binds this process to its GPU at once
            torch.cuda.set_device(device)
            dist.init_process_group("nccl", device_id=device)
        else:
            dist.init_process_group("gloo")
    return Processes(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))


def stop(together: bool = False) -> None:
    """Leave the process group, if this process joined one. A finished run leaves `together`:
    every process waits at a barrier first, so none tears its connections down while another
    still uses them (gloo can abort the process then). A failing process leaves at once, so
    that torchrun sees it exit and stops the others."""
    if dist.is_initialized():
        if together:
            dist.barrier()
        dist.destroy_process_group()


def sum_over_processes(values: Tensor, processes: Processes) -> Tensor:
    """`values` summed over every process (returned unchanged in a single process)."""
    if processes.world > 1:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def shard(tensor: Tensor, processes: Processes) -> Tensor:
    """This process's rows: numbers rank, rank + world, rank + 2 * world, ..."""
    return tensor[processes.rank :: processes.world]


def per_process(batch: int, processes: Processes) -> int:
    """The images each process takes from a global batch; a CifarError unless it splits evenly."""
    if batch % processes.world:
        raise CifarError(
            f"--batch-size {batch} does not split evenly over {processes.world} processes; use "
            f"a multiple of {processes.world} (every process takes an equal slice of each batch)"
        )
    return batch // processes.world


def my_slice(numbers: Tensor, processes: Processes) -> Tensor:
    """This process's equal, contiguous part of a global batch of image numbers."""
    per = len(numbers) // processes.world
    return numbers[processes.rank * per : (processes.rank + 1) * per]
