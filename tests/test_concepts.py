"""The concept figures plot what the tested snippets compute, and the numbers say what the posts
say; each is read back from the drawn matplotlib figure, not from the data functions alone."""

import math
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from snippets import concepts
from snippets.losses import cross_entropy, multiclass_hinge
from snippets.plotstyle import STYLE

ROOT = concepts.__file__.rsplit("/snippets/", 1)[0]


def drawn(name: str) -> Figure:
    """The figure `name` drawn onto a matplotlib Figure, to read its lines back."""
    with matplotlib.rc_context(STYLE):
        fig = Figure()
        concepts.FIGURES[name](fig)
    return fig


def test_losses_vs_margin_plot_the_snippets_losses():
    ce, hinge = drawn("losses-vs-margin").axes[0].lines[:2]
    margins = ce.get_xdata()
    assert len(margins) > 100 and margins.min() < -2 and margins.max() > 3
    target = torch.tensor([0])
    for m, c, h in zip(margins, ce.get_ydata(), hinge.get_ydata(), strict=True):
        row = torch.tensor([[float(m), 0.0]])  # float32, as the figure computes it
        assert c == pytest.approx(cross_entropy(row, target).item())
        assert h == pytest.approx(multiclass_hinge(row, target).item())
        # and the textbook closed forms for two classes
        assert c == pytest.approx(math.log1p(math.exp(-m)), rel=1e-5, abs=1e-6)
        assert h == pytest.approx(max(0.0, 1.0 - m), abs=1e-6)
    beyond = margins >= 1
    assert np.all(hinge.get_ydata()[beyond] == 0)  # hinge stops charging at the margin
    assert np.all(ce.get_ydata()[beyond] > 0)  # cross-entropy never does


def test_softmax_scaling_sharpens_and_flattens_without_reordering():
    lines = drawn("softmax-scaling").axes[0].lines[:3]
    scales = lines[0].get_xdata()
    p = np.stack([line.get_ydata() for line in lines], axis=1)  # (scales, classes)
    np.testing.assert_allclose(p.sum(1), 1, atol=1e-6)
    at_one = p[np.argmin(abs(scales - 1))]
    expected = torch.softmax(torch.tensor(concepts.SCORES), 0).numpy()
    np.testing.assert_allclose(at_one, expected, atol=1e-6)
    np.testing.assert_allclose(p[0], 1 / 3, atol=0.05)  # tiny scale: almost uniform
    assert p[-1, 1] > 0.99  # large scale: the top score takes it all
    assert np.all(p[:, 1] >= p[:, 0]) and np.all(p[:, 0] >= p[:, 2])  # order never changes


def test_the_l2_fit_is_pulled_by_the_outlier_and_the_l1_fit_is_not():
    clean, dirty = drawn("l1-l2-outlier").axes
    fit = {}
    for name, ax in (("clean", clean), ("outlier", dirty)):
        fit[name] = {
            line.get_label().split()[0]: line.get_ydata()[0]
            for line in ax.lines
            if "fit" in line.get_label()
        }
    assert fit["clean"]["L1"] == pytest.approx(3, abs=0.01)
    assert fit["clean"]["L2"] == pytest.approx(3, abs=1e-3)
    assert fit["outlier"]["L2"] == pytest.approx(102, abs=1e-3)  # the mean of 1, 2, 3, 4, 500
    assert fit["outlier"]["L1"] == pytest.approx(3, abs=0.01)  # the median
    assert abs(fit["outlier"]["L2"] - fit["clean"]["L2"]) > 90
    assert abs(fit["outlier"]["L1"] - fit["clean"]["L1"]) < 0.05


def test_batchnorm_figure_shows_pytorchs_normalisation():
    before, after = concepts.batchnorm_activations()
    reference = torch.nn.BatchNorm1d(before.shape[1]).train()
    with torch.no_grad():
        torch.testing.assert_close(after, reference(before), atol=1e-5, rtol=1e-5)
    assert before.mean(0).std() > 3 and before.std(0).max() / before.std(0).min() > 4
    torch.testing.assert_close(after.mean(0), torch.zeros(4), atol=1e-5, rtol=0)
    torch.testing.assert_close(after.var(0, unbiased=False), torch.ones(4), atol=1e-3, rtol=0)
    left, right = drawn("batchnorm-activations").axes
    for ax, values in ((left, before), (right, after)):
        assert len(ax.patches) == values.shape[1]  # one outline per unit
        lows = sorted(p.get_path().vertices[:, 0].min() for p in ax.patches)
        assert lows == pytest.approx(sorted(values.min(0).values.tolist()), abs=1e-5)


def test_data_locality_figure_matches_the_formula_of_the_post():
    per_item, copy = drawn("data-locality").axes[0].lines[:2]
    epochs = per_item.get_xdata()
    assert list(epochs) == list(range(1, 11))
    image_seconds = 0.02 + 3072 / 50e6  # one round trip plus one image's transfer
    np.testing.assert_allclose(per_item.get_ydata(), epochs * 500 * image_seconds, rtol=1e-9)
    np.testing.assert_allclose(copy.get_ydata(), 0.02 + 500 * 3072 / 50e6, rtol=1e-9)


@pytest.mark.parametrize("name", concepts.FIGURES)
def test_figure_svg_is_deterministic_light_and_text_stays_text(name):
    svg = concepts.draw(name)
    assert svg == concepts.draw(name)
    assert svg.startswith("<?xml") and "<dc:date>" not in svg
    assert len(svg.encode()) < 60_000  # pages carry several figures under the weight budget
    assert "<text" in svg  # svg.fonttype none: labels are text, not glyph paths


def test_an_unknown_figure_is_named():
    with pytest.raises(KeyError, match=r"no concept figure 'nope'.*losses-vs-margin"):
        concepts.draw("nope")


def test_importing_the_module_loads_neither_torch_nor_matplotlib():
    code = (
        "import sys, snippets.concepts; print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"], out.stderr


def hook_project(folder):
    """A one-page MkDocs project using the real concept hook."""
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text(
        "# Concepts\n\n![Hinge and cross-entropy](figures/concepts/losses-vs-margin.svg)\n"
    )
    config = folder / "mkdocs.yml"
    hook = f"{ROOT}/hooks/concept_figures.py"
    config.write_text(f"site_name: test\nstrict: true\nhooks:\n  - {hook}\n")
    return config


def test_the_hook_adds_every_figure_to_the_site(tmp_path):
    from conftest import build_site

    result = build_site(hook_project(tmp_path / "project"), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for name in concepts.FIGURES:
        svg = tmp_path / "site" / "figures" / "concepts" / f"{name}.svg"
        assert svg.read_text() == concepts.draw(name)


def test_a_figure_that_cannot_be_drawn_fails_the_build_naming_it(tmp_path, monkeypatch):
    from conftest import build_site

    # One more figure, a broken one, in every process of the build: MkDocs' own and the fresh
    # interpreter that draws the figures (hooks/figure_pool.py), hence through sitecustomize.
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "from snippets import concepts\n"
        "concepts.FIGURES['broken-figure'] = lambda fig: fig.subplots().plot([1, 2], [1])\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(inject))
    result = build_site(hook_project(tmp_path / "project"), tmp_path / "site")
    assert result.returncode != 0
    assert "concept figure 'broken-figure' cannot be drawn" in result.stdout + result.stderr
    assert "x and y must have same first dimension" in result.stdout + result.stderr


def test_every_figure_is_shown_once_with_a_takeaway_that_states_its_numbers():
    from conftest import POSTS

    posts = [p.read_text(encoding="utf-8") for p in sorted(POSTS.glob("*.md"))]
    for name in concepts.FIGURES:
        shown = [p for p in posts if f"figures/concepts/{name}.svg" in p]
        assert len(shown) == 1, name
        block = shown[0].split(f"figures/concepts/{name}.svg", 1)[1].split("</figure>", 1)[0]
        assert "<figcaption>" in block, f"{name} has no takeaway"
    text = " ".join(" ".join(posts).split())
    fits = concepts.outlier_fits()
    assert (
        f"moves the L2 fit (the mean) from {fits['clean']['L2']:.0f} to "
        f"{fits['outlier']['L2']:.0f} and leaves the L1 fit (the median) at "
        f"{fits['outlier']['L1']:.0f}"
    ) in text
    waited = concepts.waiting_times()
    assert (
        f"waits about {waited['per item'][0]:.0f} s more every epoch; copying once waits "
        f"{waited['copy once'][0]:.2f} s in all"
    ) in text
