from hypothesis import given
from hypothesis import strategies as st

from takeup.core.pages import best_match

RULES = [("/bins", "bins"), ("/bins/missed", "missed-bin"), ("/", "home")]


def test_the_longest_prefix_wins_whatever_the_order_of_the_rules() -> None:
    assert best_match("/bins/missed/report", RULES) == "missed-bin"
    assert best_match("/bins/missed/report", list(reversed(RULES))) == "missed-bin"
    assert best_match("/bins/calendar", RULES) == "bins"
    assert best_match("/council-tax", RULES) == "home"


def test_no_rule_matches() -> None:
    assert best_match("/parking", [("/bins", "bins")]) is None
    assert best_match("/parking", []) is None


def test_of_two_rules_with_the_same_prefix_the_first_wins() -> None:
    assert best_match("/bins", [("/bins", "first"), ("/bins", "second")]) == "first"


@given(st.text(max_size=20), st.lists(st.text(max_size=5), max_size=6))
def test_the_match_is_a_prefix_and_none_longer_matches(path: str, prefixes: list[str]) -> None:
    rules = [(p, p) for p in prefixes]
    found = best_match(path, rules)
    matching = [p for p in prefixes if path.startswith(p)]
    if not matching:
        assert found is None
    else:
        assert found is not None and path.startswith(found)
        assert len(found) == max(len(p) for p in matching)


def test_device_classes_are_the_arrivals_devices() -> None:
    from takeup.campaigns.models import Arrival
    from takeup.core.clients import DEVICES, device_class

    assert set(DEVICES) == set(Arrival.Device.values)
    assert device_class("Mozilla/5.0 (iPhone) Mobile") == "mobile"
    assert device_class("Mozilla/5.0 (iPad; CPU OS 17_0)") == "tablet"
    assert device_class("") == "unknown"
