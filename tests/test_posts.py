"""Posts have the front matter the blog needs, and assumed dates follow the weekly sequence."""

import datetime
import itertools

from conftest import POSTS
from test_site_build import POST_FILES, front_matter

# The four weeks of ../shared/seeds (notes 000 and 001 are two drafts of one week). Posts
# written later with `make post` add weeks; they never replace or double one of these.
WEEKS_OF_THE_NOTES = ("2020-06-07", "2020-06-14", "2020-06-21", "2020-06-28")


def test_one_post_per_weekly_note():
    dates = [p.name[:10] for p in POST_FILES]
    for week in WEEKS_OF_THE_NOTES:
        assert dates.count(week) == 1, f"week {week}: {dates.count(week)} posts, want 1"


def test_front_matter_is_complete():
    for post in POST_FILES:
        meta = front_matter(post)
        # The blog plugin needs a real YAML date; a quoted string aborts the build.
        assert isinstance(meta["date"], datetime.date), post.name
        assert meta["categories"] and meta["tags"] and meta["slug"], post.name
        assert post.name.startswith(meta["date"].isoformat()), f"{post.name}: name and date differ"


def test_assumed_dates_continue_the_weekly_sequence():
    posts = sorted((front_matter(p) for p in POSTS.glob("*.md")), key=lambda m: m["date"])
    assert not posts[0].get("date_assumed"), "the first post needs a real date to count from"
    for before, post in itertools.pairwise(posts):
        if post.get("date_assumed"):
            assert post["date"] - before["date"] == datetime.timedelta(days=7), post["slug"]


def test_every_post_has_references_and_links_to_the_posts_before_and_after_it():
    posts = sorted(POST_FILES, key=lambda p: front_matter(p)["date"])
    for index, post in enumerate(posts):
        text = post.read_text(encoding="utf-8")
        references = text.split("\n## References\n", 1)
        assert len(references) == 2, f"{post.name}: no '## References' section"
        assert "\n- " in references[1], f"{post.name}: the References section lists nothing"
        neighbours = posts[max(index - 1, 0) : index] + posts[index + 1 : index + 2]
        for neighbour in neighbours:
            assert f"]({neighbour.name}" in text, f"{post.name}: no link to {neighbour.name}"
