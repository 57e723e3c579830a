"""Shared fixtures: the repository's paths and one strict build of the site per test session."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
POSTS = DOCS / "blog" / "posts"
SNIPPETS = ROOT / "snippets"
TESTS = ROOT / "tests"

# The browser tests' fixtures live beside them, loaded as a plugin: a second conftest.py in
# tests/browser/ would shadow this one for the `from conftest import ...` of the other tests.
sys.path.insert(0, str(TESTS / "browser"))
pytest_plugins = ["browser_fixtures"]


def build_site(config: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """Run a strict MkDocs build of `config` into `site_dir`; return the finished process."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--config-file",
            str(config),
            "--site-dir",
            str(site_dir),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site as `make build` makes it, built once into a temporary folder."""
    site = tmp_path_factory.mktemp("site")
    result = build_site(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return site


@pytest.fixture
def preview_cache(tmp_path, monkeypatch) -> Path:
    """The preview's build cache (hooks/build_cache.py) in a temporary folder, in `serve` mode
    outside CI, as `make serve` uses it; back to `build` after."""
    sys.path.insert(0, str(ROOT / "hooks"))
    import build_cache

    monkeypatch.setattr(build_cache, "CACHE", tmp_path / "cache")
    monkeypatch.delenv("CI", raising=False)
    build_cache.start("serve")
    yield tmp_path / "cache"
    build_cache.start("build")
