from __future__ import annotations

from culturedata.pooling import ORGANISATION, PERSON
from culturedata.pooling.names import block_keys, initials_agree, organisation_tokens, person_tokens


def test_reading_order_accents_case_dates_and_honours_are_folded_away() -> None:
    riopelle = ("jean", "paul", "riopelle")
    assert person_tokens("Riopelle, Jean-Paul") == riopelle
    assert person_tokens("RIOPELLE, Jean-Paul (1923-2002)") == riopelle
    assert person_tokens("Jean-Paul Riopelle") == riopelle
    assert person_tokens("Bouchard, Hélène") == ("helene", "bouchard")
    assert person_tokens("John, Augustus, OM") == ("augustus", "john")


def test_initials_and_one_letter_slips_agree_but_other_given_names_do_not() -> None:
    turner = person_tokens("Joseph Mallord William Turner")
    assert initials_agree(person_tokens("J. M. W. Turner"), turner)
    assert initials_agree(person_tokens("Turner, J.M.W."), turner)
    assert initials_agree(person_tokens("Maxine Emile Louis Maufra"), person_tokens("Maufra, Maxime"))
    assert not initials_agree(person_tokens("Lygia Clark"), person_tokens("Larry Clark"))
    assert not initials_agree(person_tokens("W. Turner"), turner[::-1])


def test_an_inverted_name_and_its_reading_order_share_a_block() -> None:
    assert block_keys("Riopelle, Jean-Paul", PERSON) & block_keys("Jean-Paul Riopelle", PERSON)
    assert block_keys("Musée du Fjord-Bleu", ORGANISATION) & block_keys("Musee du Fjord Bleu", ORGANISATION)
    assert not block_keys("Musée du Fjord-Bleu", ORGANISATION) & block_keys("Musée du Lac", ORGANISATION)


def test_an_organisation_reads_the_same_in_french_and_english_with_or_without_article_or_suffix() -> None:
    assert organisation_tokens("Musée Des Communications Et D'Histoire De Sutton") == organisation_tokens(
        "Sutton Museum of Communications And History")
    assert organisation_tokens("The Dory Shop Museum") == organisation_tokens("Dory Shop Museum The")
    assert organisation_tokens("Théâtre Centennial") == organisation_tokens("Centennial Theater Inc.")
    assert organisation_tokens("Bibliothèque Yves-Thériault") != organisation_tokens("Musée Yves-Thériault")
    assert block_keys("Musée du Fort St-Jean", ORGANISATION) & block_keys("Fort Saint-Jean Museum", ORGANISATION)
