"""Parser errors told by line and column in the client's language (server/syntaxerrors.py,
through the real endpoint)."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from culturedata.server.syntaxerrors import syntax_position


def parser_message(text: str) -> str:
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(text)
    return str(raised.value)


def test_the_column_counts_characters() -> None:
    # "x" is the 37th character whether the literal is "ee" or "éé" (four bytes).
    for literal in ("ee", "éé"):
        position = syntax_position(parser_message(f'SELECT * WHERE {{ ?s ?p "{literal}" }} LIMIT x'))
        assert position is not None and (position.line, position.column) == (1, 37)
        assert "OFFSET" in position.expected and not position.expected.startswith("expected")


def test_the_line() -> None:
    position = syntax_position(parser_message("SELECT * WHERE {\n  ?s ?p ?o .\n}\nLIMIT x\n"))
    assert position is not None and (position.line, position.column) == (4, 7)


def test_a_message_without_a_position_is_left_alone() -> None:
    assert syntax_position("Bad base IRI") is None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_endpoint_says_where_in_french_and_english(method: str, demo_server: str, client: httpx.Client) -> None:
    query = 'SELECT ?nom WHERE {\n  ?s ?p "Émile" .\n} LIMIT dix'

    def ask(lang: str) -> httpx.Response:
        if method == "GET":  # answered by the hot path (hotpath.py)
            return client.get(demo_server + "/sparql", params={"query": query}, headers={"Accept-Language": lang})
        return client.post(demo_server + f"/sparql?lang={lang}", data={"query": query})

    english, french = ask("en"), ask("fr")
    assert english.status_code == french.status_code == 400
    assert english.text.startswith("Malformed SPARQL at line 3, column 9; expected: HAVING, OFFSET"), english.text
    assert french.text.startswith("SPARQL mal formé à la ligne 3, colonne 9 ; on attendait : HAVING"), french.text
