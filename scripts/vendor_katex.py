"""Vendor KaTeX from the npm registry into docs/assets/katex so the site renders math offline.

Run `make vendor-katex` (or `python scripts/vendor_katex.py [VERSION]`). It runs `npm pack`,
checks the tarball against the registry's sha512 integrity, copies the minified JS/CSS, every
font format the CSS names and the licence, and writes VENDOR.json: the package, its version,
the command used, the integrity and a sha256 per file. tests/test_vendored_assets.py checks the
files against that record, so a hand edit or a partial copy fails the tests.
"""

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "katex"
DEFAULT_VERSION = "0.19.1"
DEST = Path(__file__).resolve().parent.parent / "docs" / "assets" / "katex"
KEEP = (
    "dist/katex.min.js",
    "dist/katex.min.css",
    "dist/contrib/auto-render.min.js",  # typesets $...$ in notebook Markdown cells
    "LICENSE",
)


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


def vendor(version: str) -> None:
    spec = f"{PACKAGE}@{version}"
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        tarball, integrity = npm_pack(spec, tmpdir)
        verify_integrity(tarball, integrity)
        with tarfile.open(tarball) as tar:
            tar.extractall(tmpdir, filter="data")
        root = tmpdir / "package"
        staging = tmpdir / "staging"
        (staging / "fonts").mkdir(parents=True)
        for name in KEEP:
            shutil.copy2(root / name, staging / Path(name).name)
        for font in sorted((root / "dist" / "fonts").iterdir()):
            shutil.copy2(font, staging / "fonts" / font.name)
        files = sorted(p for p in staging.rglob("*") if p.is_file())
        record = {
            "package": PACKAGE,
            "version": version,
            "fetched_with": f"npm pack {spec}",
            "integrity": integrity,
            "files": {p.relative_to(staging).as_posix(): sha256(p) for p in files},
        }
        (staging / "VENDOR.json").write_text(json.dumps(record, indent=2) + "\n")
        # Swap the whole folder in one step so a failed run never leaves a half-copied KaTeX.
        old = DEST.with_name(DEST.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if DEST.exists():
            DEST.rename(old)
        shutil.copytree(staging, DEST)
        shutil.rmtree(old, ignore_errors=True)
    print(f"vendored {spec} ({len(files)} files) into {DEST}")


if __name__ == "__main__":
    vendor(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_VERSION)
