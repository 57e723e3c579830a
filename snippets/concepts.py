"""Concept figures for the posts, computed by the tested snippets and drawn at build time.

Each figure has a data function returning what it plots, computed by the code the posts show
(snippets.losses, .outliers, .batchnorm, .data_locality), and `draw(name)` returns its SVG
text. hooks/concept_figures.py adds each to the site as figures/concepts/<name>.svg.
torch and matplotlib are imported inside the functions, so importing this module is instant.
"""

# The worked example of the first post: scores of three classes, the first one true.
SCORES = (3.2, 5.1, -1.7)
# The targets of the outlier check in tests/test_lessons.py.
CLEAN = (1.0, 2.0, 3.0, 4.0, 5.0)
DIRTY = (1.0, 2.0, 3.0, 4.0, 500.0)


def margin_losses(margins: list[float]) -> dict[str, list[float]]:
    """Cross-entropy and hinge loss of a two-class example whose true class leads by each margin."""
    import torch

    from snippets.losses import cross_entropy, multiclass_hinge

    target = torch.tensor([0])
    rows = [torch.tensor([[m, 0.0]]) for m in margins]  # true score m, the other one 0
    return {
        "cross-entropy": [cross_entropy(row, target).item() for row in rows],
        "hinge": [multiclass_hinge(row, target).item() for row in rows],
    }


def softmax_scaling(scales: list[float], scores=SCORES) -> list[list[float]]:
    """Softmax of `scale * scores` for each scale: one row of class probabilities per scale."""
    import torch

    from snippets.losses import softmax

    logits = torch.tensor([[a * s for s in scores] for a in scales])
    return softmax(logits).tolist()


def outlier_fits(clean=CLEAN, dirty=DIRTY) -> dict[str, dict[str, float]]:
    """The constant each loss fits to the clean targets and to the ones with an outlier."""
    import torch

    from snippets.losses import l1, mse
    from snippets.outliers import fit_constant

    return {
        name: {
            loss: fit_constant(torch.tensor(targets), fn) for loss, fn in (("L1", l1), ("L2", mse))
        }
        for name, targets in (("clean", clean), ("outlier", dirty))
    }


def batchnorm_activations(units: int = 4, batch: int = 512, seed: int = 0):
    """A batch of pre-activations with a different centre and spread per unit, and its BN output."""
    import torch

    from snippets.batchnorm import BatchNorm

    g = torch.Generator().manual_seed(seed)
    centres, spreads = torch.tensor([-4.0, 0.0, 3.0, 9.0]), torch.tensor([0.5, 1.0, 2.0, 4.0])
    before = torch.randn(batch, units, generator=g) * spreads[:units] + centres[:units]
    with torch.no_grad():
        after = BatchNorm(units).train()(before)  # gamma = 1, beta = 0: the normalisation alone
    return before, after


def waiting_times(epochs: int = 10, images: int = 500, latency: float = 0.02) -> dict:
    """Seconds waited on a slow link after each epoch, reading per item or copying once."""
    import torch

    from snippets.data_locality import SlowStore, train_from_local_copy, train_reading_per_item

    def store() -> SlowStore:  # the store of tests/test_lessons.py: CIFAR-sized images, 50 MB/s
        return SlowStore(torch.zeros(images, 3 * 32 * 32, dtype=torch.uint8), latency, 50e6)

    done = range(1, epochs + 1)
    return {
        "epochs": list(done),
        "per item": [train_reading_per_item(store(), e) for e in done],
        "copy once": [train_from_local_copy(store(), e) for e in done],
    }


def _losses_vs_margin(fig) -> None:
    from snippets.plotstyle import GREY, PALETTE

    margins = [i / 20 for i in range(-60, 81)]  # -3 to 4
    ax = fig.subplots()
    for colour, (name, values) in zip(PALETTE, margin_losses(margins).items(), strict=False):
        ax.plot(margins, values, color=colour, linewidth=1.8, label=name)
    ax.axvline(1.0, color=GREY, linewidth=0.8, linestyle=":")
    ax.annotate("margin \u0394 = 1", (1.0, 3.2), xytext=(6, 0), textcoords="offset points")
    ax.set_xlabel("margin: true-class score minus the other score")
    ax.set_ylabel("loss of the example")
    ax.legend()


def _softmax_scaling(fig) -> None:
    from snippets.plotstyle import PALETTE

    scales = [10 ** (i / 20) for i in range(-30, 21)]  # 0.03 to 10
    probabilities = softmax_scaling(scales)
    ax = fig.subplots()
    for k, score in enumerate(SCORES):
        column = [row[k] for row in probabilities]
        ax.plot(scales, column, color=PALETTE[k], linewidth=1.8, label=f"class {k} (score {score})")
    ax.axhline(1 / 3, color=PALETTE[6], linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_xlabel("factor multiplying every score (1 / temperature)")
    ax.set_ylabel("softmax probability")
    ax.legend()


def _l1_l2_outlier(fig) -> None:
    from snippets.plotstyle import PALETTE

    fits = outlier_fits()
    for ax, (name, targets) in zip(
        fig.subplots(1, 2, sharey=True), (("clean", CLEAN), ("outlier", DIRTY)), strict=True
    ):
        ax.plot(range(1, len(targets) + 1), targets, "o", color=PALETTE[6], label="targets")
        for colour, loss, style in ((PALETTE[0], "L1", "-"), (PALETTE[1], "L2", "--")):
            c = fits[name][loss]
            ax.axhline(
                c, color=colour, linewidth=1.8, linestyle=style, label=f"{loss} fit: {c:.1f}"
            )
        ax.set_yscale("log")
        ax.set_xlabel("target number")
        ax.set_title(f"targets {', '.join(f'{t:g}' for t in targets)}", fontsize=10)
        ax.legend(loc="upper left")
    fig.axes[0].set_ylabel("value (log scale)")


def _batchnorm_activations(fig) -> None:
    from snippets.plotstyle import PALETTE

    before, after = batchnorm_activations()
    axes = fig.subplots(1, 2)
    for ax, values, title in (
        (axes[0], before, "before: z"),
        (axes[1], after, "after: (z - \u03bc_B) / \u221a(\u03c3_B\u00b2 + \u03b5)"),
    ):
        for unit in range(values.shape[1]):
            ax.hist(
                values[:, unit].numpy(),
                bins=24,
                histtype="step",
                color=PALETTE[unit],
                linewidth=1.5,
                label=f"unit {unit + 1}",
            )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("activation")
    axes[0].set_ylabel("examples in the batch")
    axes[0].legend(loc="upper right")


def _data_locality(fig) -> None:
    from snippets.plotstyle import PALETTE

    waited = waiting_times()
    per_epoch, once = waited["per item"][0], waited["copy once"][0]
    labels = {"per item": f"read per item: {per_epoch:.1f} s more each epoch",
              "copy once": f"copy once: {once:.2f} s in all"}  # fmt: skip
    ax = fig.subplots()
    for colour, (name, label) in zip(PALETTE, labels.items(), strict=False):
        ax.plot(waited["epochs"], waited[name], "o-", color=colour, linewidth=1.8, label=label)
    ax.set_xlabel("epochs trained (500 images, 20 ms round trip, 50 MB/s)")
    ax.set_ylabel("seconds spent waiting on the link")
    ax.legend()


FIGURES = {
    "losses-vs-margin": _losses_vs_margin,
    "softmax-scaling": _softmax_scaling,
    "l1-l2-outlier": _l1_l2_outlier,
    "batchnorm-activations": _batchnorm_activations,
    "data-locality": _data_locality,
}


def draw(name: str) -> str:
    """The concept figure `name` (one of FIGURES) as SVG text, byte-identical run to run."""
    import matplotlib
    from matplotlib.figure import Figure

    from snippets.plotstyle import STYLE, svg_text

    if name not in FIGURES:
        raise KeyError(f"no concept figure {name!r}; the figures are {', '.join(FIGURES)}")
    with matplotlib.rc_context(STYLE):
        wide = name in ("l1-l2-outlier", "batchnorm-activations")
        fig = Figure(figsize=(8.0 if wide else 6.0, 3.4), layout="constrained")
        FIGURES[name](fig)
        return svg_text(fig)
