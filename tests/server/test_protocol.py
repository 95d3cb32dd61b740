"""protocol.py: a GET query string read the quick way (one `query=` parameter) gives what the
general parse gives, down to the error on bytes that are not UTF-8."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from culturedata.server.protocol import ProtocolError, _parse, _single, get_operation


def general(query_string: str) -> tuple[str, dict[str, list[str]]]:
    operation = _single(_parse(query_string), "query")
    return operation.text, operation.params


@given(st.text(max_size=200), st.booleans())
def test_one_query_parameter_reads_as_the_general_parse_reads_it(text: str, plus: bool) -> None:
    query_string = "query=" + (quote_plus(text) if plus else quote(text, safe="=+?/ {}<>"))
    operation = get_operation(query_string)
    assert operation is not None
    assert (operation.text, operation.params) == general(query_string)


@pytest.mark.parametrize("query_string", ["query=%C3%A9%FF", "query=%80"])
def test_bytes_that_are_not_utf8_are_refused_alike(query_string: str) -> None:
    with pytest.raises(ProtocolError) as quick:
        get_operation(query_string)
    with pytest.raises(ProtocolError) as slow:
        _parse(query_string)
    assert (quick.value.status, quick.value.code, quick.value.params) == (400, slow.value.code, slow.value.params)


def test_more_than_one_parameter_takes_the_general_way() -> None:
    operation = get_operation("query=ASK%20%7B%7D&default-graph-uri=urn%3Ag")
    assert operation is not None and operation.graphs("default-graph-uri") == ["urn:g"]
    with pytest.raises(ProtocolError):
        get_operation("query=ASK%20%7B%7D&query=ASK%20%7B%7D")
