"""Start next week's post: the dated draft, a snippet section it includes, a test that fails.

    python scripts/new_post.py "Title of the post" [--category weekly] [--tags "PyTorch,loss"]
        [--module snippets/losses.py] [--section name] [--date 2020-07-05]

Writes, and refuses to overwrite:
- docs/blog/posts/<date>-<slug>.md: front matter the blog needs (date one week after the newest
  post, `draft: true`, categories, tags, slug), the title, the excerpt marker and an include;
- a `# --8<-- [start:<section>]` ... `[end:<section>]` section, appended to --module or in a
  new snippets/<slug>.py;
- tests/test_<section>.py: a test that fails, naming what to write, until it is replaced.
`make post TITLE="..."` runs it. Nothing is written unless every file can be.
"""

import argparse
import datetime
import json
import re
import sys
import textwrap
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
POSTS = Path("docs/blog/posts")
WEEK = datetime.timedelta(days=7)
MAX_SLUG = 48
MARK = "--8<--"  # split so that this file holds no section marker of its own


class PostError(Exception):
    """A reason not to write the post; its message names what and where."""


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Batch norm, again!' -> 'batch-norm-again'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    if not words:
        raise PostError(f"title {title!r} has no letters or digits to make a slug from")
    slug = words[0][:MAX_SLUG]
    for word in words[1:]:  # whole words, up to a length that keeps paths readable
        if len(slug) + 1 + len(word) > MAX_SLUG:
            break
        slug += "-" + word
    return slug


def front_matter(post: Path) -> dict:
    """A post's YAML front matter."""
    parts = post.read_text(encoding="utf-8").split("---", 2)
    if len(parts) < 3 or parts[0].strip():
        raise PostError(f"{post}: no front matter between '---' lines")
    meta = yaml.safe_load(parts[1])
    if not isinstance(meta, dict) or not isinstance(meta.get("date"), datetime.date):
        raise PostError(f"{post}: front matter has no unquoted `date:`")
    return meta


def next_date(root: Path) -> datetime.date:
    """One week after the newest post's date."""
    posts = sorted((root / POSTS).glob("*.md"))
    if not posts:
        raise PostError(f"no posts under {root / POSTS} to count the next week from")
    return max(front_matter(post)["date"] for post in posts) + WEEK


def allowed_categories(root: Path) -> list[str]:
    """The blog plugin's `categories_allowed` in mkdocs.yml."""

    class Loader(yaml.SafeLoader):  # mkdocs.yml uses !relative and !ENV tags
        pass

    Loader.add_multi_constructor("!", lambda loader, tag, node: None)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "blog" in plugin:
            return list(plugin["blog"].get("categories_allowed", []))
    raise PostError(f"{root / 'mkdocs.yml'}: no blog plugin with categories_allowed")


def yaml_scalar(text: str) -> str:
    """`text` as YAML: plain when that reads back the same, else a quoted (JSON) string."""
    return text if re.fullmatch(r"\w[\w .+-]*", text) else json.dumps(text)


def post_text(
    title: str, date: datetime.date, category: str, tags: list[str], slug: str, include: str
) -> str:
    """The new post: front matter, title, a one-line summary to replace, the include."""
    tag_lines = "".join(f"  - {yaml_scalar(tag)}\n" for tag in tags)
    return (
        f"---\ndate: {date.isoformat()}\ndraft: true\ncategories:\n  - {category}\n"
        f"tags:\n{tag_lines}slug: {slug}\n---\n\n# {title}\n\n"
        "One or two sentences for the blog index: what this week was about.\n\n"
        "<!-- more -->\n\n"
        "## What I tried\n\n"
        "The code below is a section of the tested snippets package.\n\n"
        f'```python\n{MARK} "{include}"\n```\n'
    )


def section_text(section: str, post: Path, test: Path) -> str:
    """An empty, named snippet section with a note on what belongs in it."""
    return (
        f"# {MARK} [start:{section}]\n"
        f"# The code shown in {post.as_posix()},\n"
        f"# tested by {test.as_posix()}.\n"
        f"# {MARK} [end:{section}]\n"
    )


def module_text(title: str, post: Path) -> str:
    """The docstring of a new snippets module."""
    safe = title.replace("\\", "\\\\").replace('"', "'")  # nothing that ends the docstring
    lines = textwrap.wrap(f'Code shown in the post "{safe}".', width=90)
    return '"""' + "\n".join(lines) + f"\n\nPost: {post.as_posix()}\n" + '"""\n\n'


def test_text(module: str, section: str, post: Path, test_name: str) -> str:
    """A test that fails until its writer replaces it with a real one."""
    return (
        f'"""Tests of the section {section!r} of {module}.\n\nPost: {post.as_posix()}\n"""\n\n'
        "import pytest\n\n\n"
        f"def {test_name}():\n"
        "    pytest.fail(\n"
        '        "not written yet: test what "\n'
        f'        "{module}:{section} does "\n'
        f'        "(shown in {post.as_posix()}), "\n'
        '        "then replace this stub"\n'
        "    )\n"
    )


def write_all(files: dict[Path, str]) -> None:
    """Write every file to a temporary name first, then rename them all: a failed write
    leaves no half-written post, module or test."""
    partials = {path: path.with_name(path.name + ".new-post.tmp") for path in files}
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            partials[path].write_text(text, encoding="utf-8")
    except OSError as error:
        for partial in partials.values():
            partial.unlink(missing_ok=True)
        raise PostError(f"cannot write {error.filename}: {error.strerror}") from None
    for path, partial in partials.items():
        partial.replace(path)


def new_post(
    root: Path,
    title: str,
    category: str = "weekly",
    tags: tuple[str, ...] = (),
    module: str | None = None,
    section: str | None = None,
    date: datetime.date | None = None,
) -> list[Path]:
    """Write the post, its snippet section and its failing test; return the files written."""
    categories = allowed_categories(root)
    if category not in categories:
        raise PostError(f"category {category!r} is not one of {categories} (mkdocs.yml)")
    tags = tuple(t.strip() for t in tags if t.strip()) or ("PyTorch",)
    slug = slugify(title)
    date = date or next_date(root)
    post = POSTS / f"{date.isoformat()}-{slug}.md"
    module = module or f"snippets/{slug.replace('-', '_')}.py"
    module_path = Path(module)
    if module_path.suffix != ".py" or module_path.parts[0] != "snippets":
        raise PostError(f"--module {module!r}: must be a .py file under snippets/")
    section = section or slug.replace("-", "_")
    if not re.fullmatch(r"\w+", section):
        raise PostError(f"--section {section!r}: use letters, digits and underscores")
    test_name = f"test_{section}"
    test = Path("tests") / f"{test_name}.py"

    for path in (post, test):
        if (root / path).exists():
            raise PostError(f"{path} already exists; choose another title or remove it")
    existing = (root / module_path).read_text(encoding="utf-8") if (root / module).exists() else ""
    if f"[start:{section}]" in existing:
        raise PostError(f"{module} already has a section {section!r}; pass another --section")
    head = existing.rstrip("\n") + "\n\n\n" if existing else module_text(title, post)
    code = head + section_text(section, post, test)

    include = f"{module_path.as_posix()}:{section}"
    files = {
        post: post_text(title, date, category, list(tags), slug, include),
        module_path: code,
        test: test_text(module_path.as_posix(), section, post, test_name),
    }
    write_all({root / path: text for path, text in files.items()})
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("title", help="the post's title")
    parser.add_argument("--category", default="weekly", help="one of the blog's categories")
    parser.add_argument("--tags", default="PyTorch", help="comma-separated tags")
    parser.add_argument("--module", help="snippets module to add the section to (default: new)")
    parser.add_argument("--section", help="name of the snippet section (default: from the title)")
    parser.add_argument("--date", type=datetime.date.fromisoformat, help="default: next week")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        tags = tuple(args.tags.split(","))
        written = new_post(
            args.root, args.title, args.category, tags, args.module, args.section, args.date
        )
    except PostError as error:
        print(f"new post: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.as_posix()}")
    print("Next: `make serve` shows the draft; write the snippet and its test, then `make test`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
