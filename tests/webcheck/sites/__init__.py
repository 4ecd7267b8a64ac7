"""Fixture council websites the tests serve on loopback: one where every check passes, one where
every check fails, and one with the traps a real site has. Each site is a dict of path → HTML
(or (status, content type, body)); `serve` runs a threaded http.server over one of them."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Body = str | tuple[int, str, str]

SOCIAL = (
    '<ul><li><a href="https://www.facebook.com/millbrookcouncil">Facebook</a></li>'
    '<li><a href="https://x.com/millbrookcouncil">X (Twitter)</a></li></ul>'
)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def page(
    title: str,
    body: str,
    *,
    nav: str = "",
    footer: str = "",
    viewport: bool = True,
    head: str = "",
) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"{VIEWPORT if viewport else ''}<title>{title}</title>{head}</head><body>"
        f'<header><nav aria-label="Main">{nav}</nav></header>'
        f"<main><h1>{title}</h1>{body}</main>"
        f"<footer>{footer}</footer></body></html>"
    )


# Everything passes.
PASS_NAV = (
    '<ul><li><a href="/">Home</a></li><li><a href="/contact/">Contact us</a></li>'
    '<li><a href="/emergencies/">Emergencies</a></li><li><a href="/jobs/">Jobs</a></li>'
    '<li><a href="/planning/">Planning</a></li><li><a href="/a-z/">A to Z</a></li></ul>'
)
PASS_FOOTER = SOCIAL + '<p><a href="/social-media-policy/">Social media policy</a></p>'


def _pass(title: str, body: str) -> str:
    return page(title, body, nav=PASS_NAV, footer=PASS_FOOTER)


ALL_PASS: dict[str, Body] = {
    "/": _pass(
        "Millbrook City Council",
        '<p><a href="/account/">Create an account</a> to track your requests.</p>'
        '<p><a href="/alerts/">Get email alerts</a> about bin collections and planning.</p>'
        '<p><a href="/councillors/">Councillors and committees</a></p>'
        '<p><a href="/bins/">Report a missed bin</a></p>',
    ),
    "/account/": _pass(
        "Your account",
        "<p>With an account you can track your reports, pay your council tax any time and "
        "get updates when something changes.</p>"
        '<form action="/account/"><label for="e">Email</label><input id="e" type="email" '
        'name="email"><label for="p">Password</label><input id="p" type="password" '
        'name="password"><button>Sign up</button></form>',
    ),
    "/alerts/": _pass(
        "Email alerts",
        '<form action="/alerts/"><label for="a">Email address</label>'
        '<input id="a" type="email" name="email"><button>Subscribe</button></form>',
    ),
    "/contact/": _pass(
        "Contact us",
        "<p>Save time. Do it online: most things are quickest on "
        '<a href="/a-z/">our A to Z of services</a>.</p>'
        "<p>If you cannot go online, call 01632 960 000.</p>",
    ),
    "/emergencies/": _pass("Emergencies", "<p>Out of hours, call 01632 960 999.</p>"),
    "/jobs/": _pass(
        "Jobs", '<p><a href="/alerts/">Get job alerts by email</a> when new jobs are posted.</p>'
    ),
    "/planning/": _pass(
        "Planning", '<p><a href="/alerts/">Planning alerts</a> for applications near you.</p>'
    ),
    "/a-z/": _pass("A to Z of services", '<p><a href="/bins/">Bins</a></p>'),
    "/councillors/": _pass(
        "Councillors", '<p><a href="/councillors/find/">Find your councillor</a></p>'
    ),
    "/councillors/find/": _pass("Find your councillor", "<p>Enter your postcode.</p>"),
    "/bins/": _pass("Report a missed bin", "<p>Report it online.</p>"),
    "/social-media-policy/": _pass("Social media policy", "<p>How we use social media.</p>"),
    "/only-in-sitemap/": _pass("Only in the sitemap", "<p>No page links here.</p>"),
    "/private/": _pass("Private", "<p>robots.txt asks crawlers to keep out.</p>"),
    "/robots.txt": (200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
    "/sitemap.xml": (
        200,
        "application/xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>{base}/only-in-sitemap/</loc></url>"
        "<url><loc>{base}/private/</loc></url></urlset>",
    ),
}

# Everything fails: the pages are there, and do none of it.
FAIL_NAV = (
    '<ul><li><a href="/">Home</a></li><li><a href="/contact/">Contact us</a></li>'
    '<li><a href="/emergencies/">Emergencies</a></li><li><a href="/jobs/">Jobs</a></li>'
    '<li><a href="/planning/">Planning</a></li><li><a href="/about/">About the council</a></li>'
    "</ul>"
)
WIDE = '<div style="width:1200px">A wide banner</div><img src="/logo.png">'


def _fail(title: str, body: str) -> str:
    return page(title, WIDE + body, nav=FAIL_NAV, viewport=False, footer="<p>© Millbrook</p>")


ALL_FAIL: dict[str, Body] = {
    "/": _fail(
        "Millbrook Borough Council",
        '<p><a href="/missing/">Our old news page</a></p>'
        '<p><a href="/newsletter/">Sign up</a> to our newsletter.</p>',
    ),
    "/contact/": _fail(
        "Contact us",
        "<p>Call us on 01632 960 000 or write to us. You can also find forms online.</p>",
    ),
    "/emergencies/": _fail("Emergencies", "<p>Call 01632 960 999.</p>"),
    "/jobs/": _fail("Jobs", "<p>Our vacancies are listed below.</p>"),
    "/planning/": _fail("Planning", "<p>Planning applications are listed weekly.</p>"),
    "/newsletter/": _fail("Our newsletter", "<p>A monthly round-up of council news.</p>"),
    "/about/": _fail("About the council", '<p><a href="/about/council/">How we work</a></p>'),
    "/about/council/": _fail(
        "How we work", '<p><a href="/about/council/democracy/">Democracy</a></p>'
    ),
    "/about/council/democracy/": _fail(
        "Democracy", '<p><a href="/about/council/democracy/members/">Members</a></p>'
    ),
    "/about/council/democracy/members/": _fail(
        "Members", '<p><a href="/about/council/democracy/members/find/">Find</a></p>'
    ),
    "/about/council/democracy/members/find/": _fail(
        "Find your councillor", "<p>Enter your postcode.</p>"
    ),
}

# The traps a real site has.
TRAP_MAP = (
    '<img src="/social.png" usemap="#social" alt="Follow us">'
    '<map name="social"><area shape="rect" coords="0,0,20,20" '
    'href="https://www.facebook.com/millbrookcouncil" alt="Facebook">'
    '<area shape="rect" coords="20,0,40,20" href="https://x.com/millbrook" alt="X"></map>'
)
TRAP_NAV = (
    '<ul><li><a href="/">Home</a></li>'
    # The contact page is behind a menu that only JavaScript opens.
    '<li><button type="button" aria-expanded="false" data-menu="contact">Contact us</button></li>'
    '<li><a href="javascript:openMenu()">Find your councillor</a></li>'
    '<li><a href="/emergencies/">Emergencies</a></li><li><a href="/jobs/">Jobs</a></li>'
    '<li><a href="/planning/">Planning</a></li></ul>'
)
TRAP_FOOTER = TRAP_MAP + '<p><a href="/docs/social-media-policy.pdf">Social media policy</a></p>'


def _trap(title: str, body: str) -> str:
    return page(title, body, nav=TRAP_NAV, footer=TRAP_FOOTER)


TRAPS: dict[str, Body] = {
    "/docs/social-media-policy.pdf": (200, "application/pdf", "%PDF-1.4 a policy"),
    "/": _trap(
        "Millbrook District Council",
        # "Sign up" is a newsletter, not alerts.
        '<p><a href="/newsletter/">Sign up</a> for news from the council.</p>'
        # The account is on another website.
        '<p><a href="https://accounts.millbrook.example/">My account</a></p>'
        '<p><a href="https://gone.millbrook.example/">A partner site</a></p>',
    ),
    "/newsletter/": _trap(
        "Sign up to our newsletter",
        '<form><label for="n">Email</label><input id="n" type="email" name="email">'
        "<button>Sign up</button></form>",
    ),
    "/contact/": _trap("Contact us", "<p>Call 01632 960 000.</p>"),
    "/emergencies/": _trap("Emergencies", "<p>Follow us for updates in an emergency.</p>"),
    "/jobs/": _trap("Jobs", '<p><a href="/jobs/alerts/">Job alerts</a></p>'),
    "/jobs/alerts/": _trap(
        "Job alerts",
        '<form><label for="j">Email</label><input id="j" type="email" name="email">'
        "<button>Subscribe</button></form>",
    ),
    "/planning/": _trap(
        "Planning",
        '<p><a href="/newsletter/">Sign up</a> for the planning newsletter.</p>'
        '<div tabindex="0" role="region" aria-label="Applications" style="overflow-x:auto">'
        "<table><caption>Applications</caption>"
        '<tr><th scope="col" style="min-width:900px">Reference</th></tr>'
        "<tr><td>24/0001</td></tr></table></div>",
    ),
}

SITES = {"all_pass": ALL_PASS, "all_fail": ALL_FAIL, "traps": TRAPS}


def _handler(site: Mapping[str, Body]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go as one, not 40 ms apart

        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?")[0]
            found = site.get(path)
            if found is None:
                status, kind, body = 404, "text/html", page("Page not found", "<p>Gone.</p>")
            elif isinstance(found, tuple):
                status, kind, body = found
            else:
                status, kind, body = 200, "text/html", found
            base = f"http://{self.headers.get('Host', '')}"
            data = body.replace("{base}", base).encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body:
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(site: Mapping[str, Body]) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 at a free port; yields its base address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
