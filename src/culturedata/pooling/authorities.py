"""Pooling reads authority ids through `culturedata.authorities`, which the mapping shares: one
owner for every spelling. This name stays for the pooling modules that import it from here."""

from culturedata.authorities import authority_of, canonical, published

__all__ = ["authority_of", "canonical", "published"]
