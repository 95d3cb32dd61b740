"""Map: turn `SourceRecord`s into `MappedRecord`s with a declarative mapping (mappings/*.yaml)."""

from culturedata.mapping.engine import MappingContext, map_record, map_records
from culturedata.mapping.language import Mapping, load_mapping

__all__ = ["Mapping", "MappingContext", "load_mapping", "map_record", "map_records"]
