"""Havering's checklist read from a page, the phone-message checks and findability's ranks,
alone (no database, no network)."""

from datetime import date

from takeup.principles import findability, havering, phones


def results(html: str, state: str) -> dict[str, str]:
    return {f.item: f.result for f in havering.read_page(html, state)}


def test_an_online_service_page_that_breaks_the_principles() -> None:
    page = """<html><body><h1>Pay for garden waste</h1>
    <p>Apply online. Or call us on 01708 434343, or email waste@millbrook.gov.uk.</p>
    <p>You can send a cheque made payable to Millbrook Council.</p></body></html>"""
    found = {f.item: f for f in havering.read_page(page, havering.ONLINE)}
    assert {k: f.result for k, f in found.items()} == {
        "no_phone_published": "fail",
        "no_email_published": "fail",
        "no_post_or_cheques": "fail",
    }
    assert "01708 434343" in found["no_phone_published"].evidence
    assert "waste@millbrook.gov.uk" in found["no_email_published"].evidence
    assert "cheque" in found["no_post_or_cheques"].evidence


def test_a_clean_online_page_passes_and_scripts_are_not_read() -> None:
    page = """<html><body><h1>Report a missed bin</h1><p>Report it online in two minutes.</p>
    <p>Reference 2026/01234 and case 123-456.</p>
    <script>var help = "call 01708 434343 or write to help@millbrook.gov.uk";</script>
    </body></html>"""
    assert set(results(page, havering.ONLINE).values()) == {"pass"}


def test_links_count_as_published_and_a_postal_address_is_post() -> None:
    page = """<p><a href="tel:+441708434343">Ring us</a>
    <a href="mailto:bins@millbrook.gov.uk">Write</a></p>
    <p>Return the form to Town Hall, Main Road, Romford RM1 3BD.</p>"""
    assert results(page, havering.ONLINE) == {
        "no_phone_published": "fail",
        "no_email_published": "fail",
        "no_post_or_cheques": "fail",
    }


def test_a_service_not_online_yet_has_one_number() -> None:
    one = "<p>Call 01708 434343 (the same number: 01708 434 343).</p>"
    two = "<p>Call 01708 434343 or 0300 123 4567.</p>"
    assert results(one, havering.NOT_ONLINE) == {
        "one_phone_number": "pass",
        "no_email_not_online": "pass",
    }
    assert results(two, havering.NOT_ONLINE)["one_phone_number"] == "fail"
    assert "one_phone_number" not in results("<p>Nothing</p>", havering.NOT_ONLINE)


def test_a_service_state_follows_its_stages_and_address() -> None:
    building = {"developing": (date(2026, 1, 1), date(2026, 2, 1))}
    assert havering.state_of(online_url="", stages=building) == havering.NEW
    live = {**building, "live": (None, date(2026, 6, 1))}
    assert havering.state_of(online_url="https://x.gov.uk/a", stages=live) == havering.ONLINE
    assert havering.state_of(online_url="", stages={}) == havering.NOT_ONLINE
    assert havering.score({"a": "pass", "b": "fail", "c": "unknown"}) == (1, 2)


def test_phone_messages_point_to_the_website_and_name_the_service() -> None:
    good = (
        "Thank you for calling Millbrook Council. Our offices are closed. You can report a "
        "missed bin online at any time at millbrook.gov.uk."
    )
    checks = {c.id: c for c in phones.check_message(good, "Report a missed bin")}
    assert checks["points_to_website"].result == "pass"
    assert "online" in checks["points_to_website"].evidence
    assert checks["names_online_service"].result == "pass"
    bad = "Our offices are closed. Please call back between 9 and 5."
    assert [c.result for c in phones.check_message(bad, "Report a missed bin")] == ["fail", "fail"]
    assert [c.id for c in phones.check_message(bad, None)] == ["points_to_website"]
    assert phones.next_check(date(2026, 1, 1)) == date(2026, 4, 3)


RESULTS = """<html><body><header><a href="/">Home</a><a href="/carers">Carers (menu)</a></header>
<nav><a href="/a-z">A to Z</a></nav>
<main><h1>Results for break for carers</h1>
<a href="/search?q=break+for+carers&page=2">Next page</a>
<ol><li><a href="/news/carers-week">Carers week</a></li>
<li><a href="https://www.millbrook.gov.uk/news/carers-week/">Carers week again</a></li>
<li><a href="/adult-care/respite">Respite care</a></li>
<li><a href="mailto:care@millbrook.gov.uk">Email us</a></li></ol></main>
<footer><a href="/contact">Contact</a></footer></body></html>"""


def test_results_are_read_from_the_main_content_in_order() -> None:
    page = "https://www.millbrook.gov.uk/search?q=break+for+carers"
    links = findability.result_links(RESULTS, page)
    assert links == [
        "https://www.millbrook.gov.uk/news/carers-week",
        "https://www.millbrook.gov.uk/adult-care/respite",
    ]
    assert findability.rank_of("http://millbrook.gov.uk/adult-care/respite/", links) == 2
    assert findability.rank_of("https://www.millbrook.gov.uk/carers", links) is None  # menu only
    assert (
        findability.search_url(
            "https://www.millbrook.gov.uk/search?q={terms}", " Break for carers "
        )
        == "https://www.millbrook.gov.uk/search?q=Break+for+carers"
    )
