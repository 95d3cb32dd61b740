"""Store: load mapped records into an on-disk pyoxigraph store, one named graph per record,
and publish it as an immutable snapshot that the server opens read-only."""

from culturedata.store.loader import Loader
from culturedata.store.snapshot import Snapshots, Staging

__all__ = ["Loader", "Snapshots", "Staging"]
