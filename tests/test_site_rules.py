"""The no-other-host and assets-exist rules flag what they should, and only that."""

from site_rules import external_references, fetched_urls_in_html, missing_local_references

PAGE = """<html><head>
<link rel="stylesheet" href="https://fonts.example.com/css">
<link rel="canonical" href="https://example.com/page/">
<link rel="icon" href="//cdn.example.com/favicon.png">
<script src="https://cdn.example.com/mathjax.js"></script>
<script src="assets/local.js"></script>
<style>@font-face { src: url("https://fonts.example.com/a.woff2") }</style>
</head><body>
<a href="https://example.com/just-a-link">a link fetches nothing</a>
<img src="data:image/png;base64,AAAA" srcset="img/a.png 1x, https://img.example.com/b.png 2x">
<iframe src="https://video.example.com/embed"></iframe>
<div style="background: url('https://img.example.com/bg.png')"></div>
</body></html>"""


def test_every_kind_of_fetch_from_another_host_is_found(tmp_path):
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "extra.css").write_text('@import "https://x.example.com/a.css"; b { }')
    found = external_references(tmp_path)
    assert sorted(found) == sorted(
        [
            "extra.css: https://x.example.com/a.css",
            "index.html: https://fonts.example.com/css",
            "index.html: //cdn.example.com/favicon.png",
            "index.html: https://cdn.example.com/mathjax.js",
            "index.html: https://fonts.example.com/a.woff2",
            "index.html: https://img.example.com/b.png",
            "index.html: https://video.example.com/embed",
            "index.html: https://img.example.com/bg.png",
        ]
    )


def test_links_and_canonical_urls_are_not_fetches():
    urls = fetched_urls_in_html(PAGE)
    assert "https://example.com/just-a-link" not in urls
    assert "https://example.com/page/" not in urls


def test_missing_and_empty_local_assets_are_found(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "here.js").write_text("")
    (tmp_path / "index.html").write_text(
        '<script src="assets/here.js"></script><script src="assets/gone.js"></script>'
        '<script src=""></script><img src="/assets/here.js">'
    )
    assert missing_local_references(tmp_path) == [
        "index.html: assets/gone.js",
        "index.html: (empty URL)",
    ]
