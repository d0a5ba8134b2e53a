"""The search's option filter as parsed from `name:value` pairs: sorted, so the same filter in
another order is the same search (and cache entry); malformed ones refused with their reason."""

import pytest

from application.catalog.facets import InvalidOptionFilter, option_filter


def test_pairs_are_sorted_by_name_and_values_may_hold_a_colon() -> None:
    assert option_filter(["size:M", "colour:red"]) == (("colour", "red"), ("size", "M"))
    assert option_filter(["colour:red", "size:M"]) == option_filter(["size:M", "colour:red"])
    assert option_filter(["ratio:16:9"]) == (("ratio", "16:9"),)
    assert option_filter([]) == ()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (["size"], "name:value"),
        ([":M"], "name:value"),
        (["Size:M"], "name:value"),
        (["size:"], "1 to 40"),
        (["size:" + "x" * 41], "1 to 40"),
        (["size:M\x00"], "NUL"),
        (["size:M", "size:L"], "twice"),
        (["a:1", "b:2", "c:3", "d:4"], "at most 3"),
    ],
)
def test_a_malformed_filter_says_why(raw: list[str], reason: str) -> None:
    with pytest.raises(InvalidOptionFilter, match=reason):
        option_filter(raw)
