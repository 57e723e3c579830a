"""pick_device prefers CUDA, then Apple MPS, then the CPU, and refuses a device that is absent."""

import pytest
import torch

from snippets import pick_device


@pytest.fixture
def accelerators(monkeypatch):
    """Pretend which accelerators exist; the real ones are not on a CI machine."""

    def set_available(cuda: bool, mps: bool) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return set_available


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_auto_picks_the_fastest_present(accelerators, cuda, mps, expected):
    accelerators(cuda, mps)
    assert pick_device().type == expected


def test_named_device_is_returned_as_is(accelerators):
    accelerators(True, True)
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("cuda:1") == torch.device("cuda:1")


@pytest.mark.parametrize("name", ["cuda", "mps"])
def test_named_device_that_is_absent_is_refused(accelerators, name):
    accelerators(False, False)
    with pytest.raises(RuntimeError, match=f"asked for {name.upper()}"):
        pick_device(name)


def test_the_real_machine_gets_a_usable_device():
    device = pick_device()
    assert torch.ones(2, device=device).sum().item() == 2
