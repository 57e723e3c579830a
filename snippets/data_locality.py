"""Why training from a mounted network drive starves the GPU: every read pays the link's latency.

The drive is simulated with a clock instead of real sleeps, so the comparison is exact,
deterministic and instant.
"""

from dataclasses import dataclass

from torch import Tensor


# --8<-- [start:slow_store]
@dataclass
class SlowStore:
    """A dataset behind a slow link: each request costs `latency` plus its bytes / `bandwidth`."""

    items: Tensor  # the dataset, one item per row
    latency: float  # seconds per request (a network round trip)
    bandwidth: float  # bytes per second
    seconds: float = 0.0  # simulated time spent waiting on the link
    requests: int = 0

    def _charge(self, nbytes: int) -> None:
        self.requests += 1
        self.seconds += self.latency + nbytes / self.bandwidth

    def read(self, index: int) -> Tensor:
        """One item, one request: what a Dataset reading files from the drive does."""
        item = self.items[index]
        self._charge(item.nbytes)
        return item.clone()

    def read_all(self) -> Tensor:
        """The whole dataset in one request: copying it to local disk or memory once."""
        self._charge(self.items.nbytes)
        return self.items.clone()


# --8<-- [end:slow_store]


# --8<-- [start:two_ways]
def train_reading_per_item(store: SlowStore, epochs: int) -> float:
    """Every epoch reads every item from the drive again. Returns simulated seconds waited."""
    for _ in range(epochs):
        for index in range(len(store.items)):
            _ = store.read(index)  # ... a training step would use the item here
    return store.seconds


def train_from_local_copy(store: SlowStore, epochs: int) -> float:
    """Copy once, then every epoch reads local memory. Returns simulated seconds waited."""
    local = store.read_all()
    for _ in range(epochs):
        for index in range(len(local)):
            _ = local[index]  # ... a training step would use the item here
    return store.seconds


# --8<-- [end:two_ways]
