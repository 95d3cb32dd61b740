"""Map: turn `SourceRecord`s into `MappedRecord`s with a declarative mapping (mappings/*.yaml)."""

from culturedata.mapping.columns import PropertyColumns, columns_read, property_columns
from culturedata.mapping.coverage import SAMPLED, Coverage, MissingField
from culturedata.mapping.engine import MappingContext, map_record, map_records
from culturedata.mapping.identities import Identities, collision_finding
from culturedata.mapping.language import Mapping, load_mapping
from culturedata.mapping.published import Minted, PublishedIdentities
from culturedata.mapping.vocabularies import Found, Hints, Scheme, Vocabularies, load_vocabularies

__all__ = [
    "SAMPLED", "Coverage", "Found", "Hints", "Identities", "Mapping", "MappingContext", "Minted", "MissingField",
    "PropertyColumns", "PublishedIdentities", "Scheme", "Vocabularies", "collision_finding", "columns_read",
    "load_mapping", "load_vocabularies", "map_record", "map_records", "property_columns",
]
