"""MkDocs hook: posts with `date_assumed: true` (their note had no date) say so on the page."""

NOTICE = (
    '!!! info "Date assumed"\n'
    "    The original note for this post carries no date. It is placed one week after the\n"
    "    post before it, so the log stays in order; the real date may differ.\n\n"
)


def on_page_markdown(markdown, page, config, files):
    flag = page.meta.get("date_assumed", False)
    if not isinstance(flag, bool):
        raise ValueError(f"{page.file.src_path}: date_assumed must be true or false, not {flag!r}")
    if not flag:
        return markdown
    # Put the notice after the title and the excerpt marker, so listings stay clean.
    head, sep, body = markdown.partition("<!-- more -->")
    if not sep:
        return NOTICE + markdown
    return f"{head}{sep}\n\n{NOTICE}{body}"
