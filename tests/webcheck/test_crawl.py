"""The crawler: robots.txt, the sitemap, the budget, the same host only, the rate limit."""

import pytest

from takeup.webcheck.crawl import Crawler, CrawlFailed, RateLimit, normalise
from takeup.webcheck.parse import parse

from .sites import ALL_PASS, Body, serve


def test_robots_txt_is_obeyed_and_the_sitemap_followed() -> None:
    with serve(ALL_PASS) as base:
        crawl = Crawler(base, rate=None).run()
    assert f"{base}/private/" not in crawl.pages
    assert f"{base}/private/" in crawl.refused_by_robots
    assert f"{base}/only-in-sitemap/" in crawl.pages  # no link leads there
    assert crawl.sitemap_pages == 2  # both are new: one read, one refused by robots.txt
    assert not crawl.budget_reached


def test_the_page_budget_stops_the_crawl() -> None:
    with serve(ALL_PASS) as base:
        crawl = Crawler(base, rate=None, max_pages=3).run()
    assert len(crawl.pages) == 3
    assert crawl.budget_reached


def test_only_the_same_host_is_read() -> None:
    site: dict[str, Body] = {
        "/": '<html><body><a href="http://localhost:{port}/other/">Other host</a>'
        '<a href="/here/">Here</a></body></html>',
        "/here/": "<html><title>Here</title></html>",
        "/other/": "<html><title>Other</title></html>",
    }
    with serve(site) as base:
        port = base.rsplit(":", 1)[1]
        site["/"] = str(site["/"]).replace("{port}", port)
        crawl = Crawler(base, rate=None).run()
    assert sorted(crawl.pages) == [f"{base}/", f"{base}/here/"]


def test_progress_is_reported_page_by_page() -> None:
    seen: list[tuple[int, int]] = []
    with serve(ALL_PASS) as base:
        Crawler(base, rate=None, max_pages=4, progress=lambda d, t: seen.append((d, t))).run()
    assert seen[0] == (1, 4)
    assert seen[-1] == (4, 4)


def test_a_home_page_that_cannot_be_read_fails_the_crawl() -> None:
    with serve({}) as base, pytest.raises(CrawlFailed, match="404"):
        Crawler(base, rate=None).run()


def test_the_rate_limit_spaces_the_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limit = RateLimit(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limit.wait()
    assert slept == [0.5, 0.5]
    limit.slow_to(2.0)  # robots.txt's Crawl-delay: from the next request on
    limit.wait()
    limit.wait()
    assert slept[-1] == 2.0
    unlimited = RateLimit(None, clock=lambda: now[0], sleep=sleep)
    unlimited.wait()
    unlimited.wait()
    assert len(slept) == 4


def test_crawl_delay_in_robots_txt_slows_the_crawl() -> None:
    site: dict[str, Body] = {
        "/": "<html></html>",
        "/robots.txt": (200, "text/plain", "User-agent: *\nCrawl-delay: 5\n"),
    }
    with serve(site) as base:
        crawler = Crawler(base, rate=2.0)
        assert crawler.allowed(base + "/")
        assert crawler.limits["127.0.0.1:" + base.rsplit(":", 1)[1]].interval == 5.0


def test_links_are_read_with_their_place_on_the_page() -> None:
    page = parse(
        "https://www.millbrook.gov.uk/a/",
        '<nav><a href="../b#top">B</a><a href="#">Menu</a><a href="tel:0163">Call</a></nav>'
        '<map name="m"><area href="https://facebook.com/m" alt="Facebook"></map>'
        '<div class="site-footer"><a href="/c"><img alt="C"></a></div>'
        '<script>var x = "<a href=/nope>";</script>',
    )
    assert [(k.url, k.text, k.in_footer, k.in_image_map) for k in page.links] == [
        ("https://www.millbrook.gov.uk/b", "B", False, False),
        ("https://facebook.com/m", "Facebook", False, True),
        ("https://www.millbrook.gov.uk/c", "C", True, False),
    ]
    assert [c.text for c in page.script_controls] == ["Menu"]


def test_addresses_are_normalised() -> None:
    assert normalise("HTTPS://WWW.Example.gov.uk#x") == "https://www.example.gov.uk/"
    assert normalise("https://a.uk/b?c=1#d") == "https://a.uk/b?c=1"
