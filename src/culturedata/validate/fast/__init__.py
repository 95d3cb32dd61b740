"""The fast SHACL engine: pySHACL's results, with the data graph kept in pyoxigraph.

    FastValidator(shapes).validate(records)   the pipeline's Validator protocol
    validate_graph(data, shapes)              (conforms, report graph, text), as pyshacl.validate
"""

from culturedata.validate.fast.validator import FastValidator, validate_graph

__all__ = ["FastValidator", "validate_graph"]
