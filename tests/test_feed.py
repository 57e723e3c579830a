"""The feeds list every published post with its date, and every page links to its source."""

import json
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import yaml
from bs4 import BeautifulSoup
from conftest import POSTS, ROOT


class ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as plain YAML: MkDocs' own tags (!relative, !ENV) read as None."""


ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=ConfigLoader)
SITE_URL = CONFIG["site_url"]


def published_posts() -> dict[str, dict]:
    """URL -> front matter of every post that is not a draft."""
    posts = {}
    for path in sorted(POSTS.glob("*.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
        if not meta.get("draft", False):
            posts[f"{SITE_URL}blog/{meta['date']:%Y/%m/%d}/{meta['slug']}/"] = meta
    assert len(posts) >= 4
    return posts


def test_rss_feed_is_valid_xml_and_lists_every_post_with_its_date(built_site):
    channel = ET.parse(built_site / "feed_rss_created.xml").getroot().find("channel")
    assert channel.findtext("link") == SITE_URL
    image = channel.find("image").findtext("url")  # set apart from site_url: must agree with it
    assert image.startswith(SITE_URL) and (built_site / image.removeprefix(SITE_URL)).is_file()
    items = {item.findtext("link"): item for item in channel.findall("item")}
    posts = published_posts()
    assert set(items) == set(posts)
    for url, meta in posts.items():
        assert parsedate_to_datetime(items[url].findtext("pubDate")).date() == meta["date"]
        page = built_site / url.removeprefix(SITE_URL) / "index.html"
        h1 = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").h1
        assert items[url].findtext("title") == h1.get_text().strip().rstrip("¶")
        assert set(meta["categories"]) <= {c.text for c in items[url].findall("category")}


def test_json_feed_is_valid_and_lists_every_post_with_its_date(built_site):
    feed = json.loads((built_site / "feed_json_created.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == SITE_URL
    dates = {item["url"]: item["date_published"][:10] for item in feed["items"]}
    assert dates == {url: f"{meta['date']:%Y-%m-%d}" for url, meta in published_posts().items()}


def test_every_page_announces_the_feed(built_site):
    for page in (built_site / "index.html", built_site / "blog" / "index.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        feeds = soup.find_all("link", rel="alternate", type="application/rss+xml")
        assert any(link["href"].endswith("feed_rss_created.xml") for link in feeds), page


def test_every_page_from_a_source_file_links_to_it(built_site):
    repo = CONFIG["repo_url"].rstrip("/")
    pages = [p for p in built_site.rglob("*.html") if "assets" not in p.parts]
    linked = 0
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.find(attrs={"data-md-component": "source"}) is None, page  # no API fetch
        header = soup.find("a", class_="md-source")
        assert header is not None and header["href"] == CONFIG["repo_url"], page
        edit = soup.find("a", rel="edit")
        if edit is None:  # archive, category and 404 pages have no source file
            continue
        prefix = f"{repo}/{CONFIG['edit_uri']}"
        assert edit["href"].startswith(prefix), page
        assert (ROOT / "docs" / edit["href"].removeprefix(prefix)).is_file(), edit["href"]
        linked += 1
    assert linked >= 12  # every post, guide, notebook and about page


def test_the_trainer_guide_is_in_the_nav_with_how_to_get_the_data(built_site):
    guides = next(entry["Guides"] for entry in CONFIG["nav"] if "Guides" in entry)
    assert {"The CIFAR-10 trainer": "guides/trainer.md"} in guides
    page = (built_site / "guides" / "trainer" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find(id="get-the-data") is not None
    commands = " ".join(code.get_text() for code in soup.select("#get-the-data ~ div pre"))
    assert "python -m snippets.cifar download --out" in commands
    assert "python -m snippets.cifar subset --source" in commands
