"""MkDocs hook: notices on posts. A post with `date_assumed: true` (its note had no date) says
so; a draft post (`draft: true`, shown only by `mkdocs serve`) says that it is a draft."""

NOTICES = {
    "date_assumed": (
        '!!! info "Date assumed"\n'
        "    The original note for this post carries no date. It is placed one week after the\n"
        "    post before it, so the log stays in order; the real date may differ.\n\n"
    ),
    "draft": (
        '!!! warning "Draft"\n'
        "    This post is a draft: `make serve` shows it, while `make build` and the published\n"
        "    site leave it out until `draft: true` is removed from its front matter.\n\n"
    ),
}


def on_page_markdown(markdown, page, config, files):
    for key, notice in NOTICES.items():
        flag = page.meta.get(key, False)
        if not isinstance(flag, bool):
            raise ValueError(f"{page.file.src_path}: {key} must be true or false, not {flag!r}")
        if flag:
            markdown = _after_excerpt(markdown, notice)
    return markdown


def _after_excerpt(markdown: str, notice: str) -> str:
    """Put a notice after the title and the excerpt marker, so listings stay clean."""
    head, sep, body = markdown.partition("<!-- more -->")
    if not sep:
        return notice + markdown
    return f"{head}{sep}\n\n{notice}{body}"
