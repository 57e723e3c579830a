"""Vendor a package from the npm registry into the repository, verified and recorded.

Run `make vendor-katex` / `make vendor-axe` (or `python scripts/vendor_npm.py NAME [VERSION]`).
It runs `npm pack`, checks the tarball against the registry's sha512 integrity, copies the
files the package's entry below names, and writes VENDOR.json: the package, its version, the
command used, the integrity and a sha256 per file. tests/test_vendored_assets.py checks the
files against that record, so a hand edit or a partial copy fails the tests.

- katex: typesets the site's math offline (docs/assets/katex: minified JS/CSS, auto-render,
  every font format the CSS names, the licence).
- axe-core: the accessibility engine the browser tests inject into every page
  (tests/browser/vendor/axe-core). It is never part of the site.
"""

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Vendored:
    """An npm package to vendor: which version, where to, and which of its files."""

    package: str
    version: str
    dest: Path
    files: tuple[str, ...]  # paths inside the package, copied flat into dest
    folders: dict[str, str] = field(default_factory=dict)  # package folder -> dest subfolder


PACKAGES = {
    "katex": Vendored(
        "katex",
        "0.19.1",
        ROOT / "docs" / "assets" / "katex",
        (
            "dist/katex.min.js",
            "dist/katex.min.css",
            "dist/contrib/auto-render.min.js",  # typesets $...$ in notebook Markdown cells
            "LICENSE",
        ),
        {"dist/fonts": "fonts"},
    ),
    "axe-core": Vendored(
        "axe-core",
        "4.14.1",
        ROOT / "tests" / "browser" / "vendor" / "axe-core",
        ("axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"),
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(spec: str, workdir: Path) -> tuple[Path, str]:
    """Download the package tarball with npm; return its path and the registry's integrity."""
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    return workdir / info["filename"], info["integrity"]


def verify_integrity(tarball: Path, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        sys.exit(f"error: {tarball.name}: {algo} is {actual}, the registry says {expected}")


def vendor(entry: Vendored, version: str | None = None) -> None:
    """Fetch `entry` (at `version`, default its pinned one) and swap it into its folder."""
    spec = f"{entry.package}@{version or entry.version}"
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        tarball, integrity = npm_pack(spec, tmpdir)
        verify_integrity(tarball, integrity)
        with tarfile.open(tarball) as tar:
            tar.extractall(tmpdir, filter="data")
        root = tmpdir / "package"
        staging = tmpdir / "staging"
        staging.mkdir()
        for name in entry.files:
            shutil.copy2(root / name, staging / Path(name).name)
        for source, target in entry.folders.items():
            (staging / target).mkdir(parents=True)
            for path in sorted((root / source).iterdir()):
                shutil.copy2(path, staging / target / path.name)
        files = sorted(p for p in staging.rglob("*") if p.is_file())
        record = {
            "package": entry.package,
            "version": version or entry.version,
            "fetched_with": f"npm pack {spec}",
            "integrity": integrity,
            "files": {p.relative_to(staging).as_posix(): sha256(p) for p in files},
        }
        (staging / "VENDOR.json").write_text(json.dumps(record, indent=2) + "\n")
        # Swap the whole folder in one step so a failed run never leaves a half-copied package.
        dest = entry.dest
        old = dest.with_name(dest.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists():
            dest.rename(old)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, dest)
        shutil.rmtree(old, ignore_errors=True)
    print(f"vendored {spec} ({len(files)} files) into {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in PACKAGES:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(PACKAGES)}}} [VERSION]")
    vendor(PACKAGES[sys.argv[1]], sys.argv[2] if len(sys.argv) == 3 else None)
