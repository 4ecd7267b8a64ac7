"""Addresses as browsers read them. A stored link (a service's online address, a tracked link's
destination) is parsed with the WHATWG URL rules that browsers follow (ada-url), not Python's
urlsplit: "https://evil.example\\@www.millbrook.gov.uk/" is evil.example to a browser, though
urlsplit reads the council's domain. Anything a browser might read another way is refused."""

import re

from ada_url import URL

UNSAFE = re.compile(r"[\\\x00-\x20\x7f]")


class UnsafeAddress(ValueError):
    """The message says what to write instead."""


def checked(address: str) -> str:
    """The address as a browser would use it, or UnsafeAddress: only http(s), no backslashes,
    spaces or control characters, no user name or password before the host."""
    if UNSAFE.search(address):
        raise UnsafeAddress("Write the address without backslashes, spaces or control characters.")
    try:
        url = URL(address)
    except ValueError as exc:
        raise UnsafeAddress("This is not a web address a browser can open.") from exc
    if url.protocol not in ("https:", "http:"):
        raise UnsafeAddress("Use a web address starting https://.")
    if url.username or url.password:
        raise UnsafeAddress("Write the address without a user name or password before the host.")
    return str(url.href)


def host(address: str) -> str:
    """The host a browser would go to ("" when it would go nowhere)."""
    try:
        return str(URL(address).hostname).lower().rstrip(".")
    except ValueError:
        return ""


def host_allowed(address: str, domains: list[str]) -> bool:
    """Whether a browser following this address would stay on these domains (or below them)."""
    try:
        checked(address)
    except UnsafeAddress:
        return False
    found = host(address)
    return bool(found) and any(found == d or found.endswith("." + d) for d in domains)


def origin(address: str) -> str:
    """The origin a browser would send for a page at this address ("" if it has a path)."""
    url = URL(checked(address))
    return "" if url.pathname not in ("", "/") or url.search or url.hash else str(url.origin)
