"""Figures drawn by worker processes (hooks/figure_pool.py), the way the figure hooks use them."""

import sys

import pytest
from conftest import ROOT
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from snippets import concepts

sys.path.insert(0, str(ROOT / "hooks"))
import build_cache  # hook helpers, imported from hooks/ as MkDocs does
import figure_pool

SOFTMAX = (concepts.draw, "softmax-scaling")  # a real figure: its drawing function, its name


@pytest.fixture
def config(tmp_path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir()
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "test", "site_dir": str(tmp_path / "site")})
    errors, _ = config.validate()
    assert not errors
    config.plugins._current_plugin = "a figure hook"  # as MkDocs sets it while an event runs
    return config


def test_a_figure_is_drawn_by_a_worker_and_in_its_file_by_on_env(config):
    files = Files([])
    figure_pool.add(files, config, "figures/a.svg", ["key"], "figure a", *SOFTMAX)
    (file,) = files
    assert file.src_uri == "figures/a.svg" and file.content_string == "", "drawn later"
    figure_pool.on_env(None, config, files)
    assert file.content_string == concepts.draw("softmax-scaling")


def test_a_figure_that_raises_fails_the_build_naming_it_and_is_not_cached(config, preview_cache):
    files = Files([])
    figure_pool.add(files, config, "figures/a.svg", ["a"], "figure a", concepts.draw, "no-such")
    with pytest.raises(PluginError, match=r"figure a cannot be drawn: KeyError.*no-such"):
        figure_pool.on_env(None, config, files)
    assert build_cache.lookup("svg", ["a"]) is None
    assert not preview_cache.exists() or not any(p.is_file() for p in preview_cache.rglob("*"))


def test_while_serving_an_unchanged_figure_comes_from_the_cache(config, preview_cache):
    first, again = Files([]), Files([])
    figure_pool.add(first, config, "figures/a.svg", ["same"], "figure a", *SOFTMAX)
    figure_pool.on_env(None, config, first)
    figure_pool.add(again, config, "figures/a.svg", ["same"], "figure a", *SOFTMAX)
    assert figure_pool._pool is None, "a worker was started for a cached figure"
    (drawn,), (cached,) = first, again
    assert cached.content_string == drawn.content_string == concepts.draw("softmax-scaling")


def test_a_failed_build_stops_the_workers_and_forgets_its_figures(config):
    files = Files([])
    figure_pool.add(files, config, "figures/a.svg", ["a"], "figure a", *SOFTMAX)
    figure_pool.on_build_error(RuntimeError("a page failed"))
    assert figure_pool._pool is None and not figure_pool._drawing
