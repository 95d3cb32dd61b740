"""Identity across sources: two museums citing the same Wikidata artist meet in the pooled graph."""

from __future__ import annotations

from pyoxigraph import NamedNode

from culturedata.mapping import load_mapping, map_record

from .conftest import SCHEMA, context, objects, record

LIDO = b"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID>X-1</lido:lidoRecID>
  <lido:descriptiveMetadata xml:lang="fr">
    <lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>
      <lido:appellationValue>Paysage</lido:appellationValue></lido:titleSet></lido:titleWrap>
      <lido:repositoryWrap><lido:repositorySet lido:type="current"><lido:workID>2001.1</lido:workID>
      </lido:repositorySet></lido:repositoryWrap></lido:objectIdentificationWrap>
    <lido:eventWrap><lido:eventSet><lido:event>
      <lido:eventType><lido:conceptID>http://terminology.lido-schema.org/lido00007</lido:conceptID></lido:eventType>
      <lido:eventActor><lido:actorInRole><lido:actor>
        <lido:actorID lido:type="URI">https://www.wikidata.org/wiki/Q3081438</lido:actorID>
        <lido:actorID lido:type="local">kue 0255</lido:actorID>
        <lido:nameActorSet><lido:appellationValue>Leduc, Ozias</lido:appellationValue></lido:nameActorSet>
        <lido:vitalDatesActor><lido:earliestDate>1864</lido:earliestDate><lido:latestDate>1955</lido:latestDate></lido:vitalDatesActor>
      </lido:actor></lido:actorInRole></lido:eventActor>
    </lido:event></lido:eventSet></lido:eventWrap>
  </lido:descriptiveMetadata>
</lido:lido>"""


def test_same_wikidata_artist_in_a_csv_and_a_lido_source_is_one_node() -> None:
    row = {"id": "9", "numero_accession": "1990.9", "titre_fr": "Nature morte", "createur": "Ozias Leduc",
           "createur_wikidata": "http://www.wikidata.org/entity/Q3081438"}
    from_csv = map_record(load_mapping("musee-csv"), record(row, "9", "musee-a", "text/csv"), context("musee-a"))
    from_lido = map_record(load_mapping("lido"), record(LIDO, "X-1", "musee-b"), context("musee-b"))
    [csv_person] = objects(from_csv, "http://127.0.0.1:8000/id/musee-a/objet/9", SCHEMA + "creator")
    [lido_person] = objects(from_lido, "http://127.0.0.1:8000/id/musee-b/objet/x-1", SCHEMA + "creator")
    assert csv_person == lido_person == NamedNode("http://127.0.0.1:8000/id/personne/wikidata/q3081438")
    wikidata = NamedNode("http://www.wikidata.org/entity/Q3081438")
    assert objects(from_csv, csv_person.value, SCHEMA + "sameAs") == [wikidata]
    assert objects(from_lido, lido_person.value, SCHEMA + "sameAs") == [wikidata]
    assert [o.value for o in objects(from_lido, lido_person.value, SCHEMA + "name")] == ["Ozias Leduc"]
    assert [o.value for o in objects(from_lido, lido_person.value, SCHEMA + "birthDate")] == ["1864"]
