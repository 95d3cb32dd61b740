"""Validate: check mapped records against the SHACL shapes, record by record."""

from culturedata.validate.report import RecordReport, summarise
from culturedata.validate.shapes import ShapeSet, load_shapes
from culturedata.validate.validator import PyshaclValidator, Validator, validate_records

__all__ = [
    "PyshaclValidator",
    "RecordReport",
    "ShapeSet",
    "Validator",
    "load_shapes",
    "summarise",
    "validate_records",
]
