"""Store: load mapped records into an on-disk pyoxigraph store, one named graph per record,
and publish it as an immutable snapshot that the server opens read-only; or write the same
graphs to a remote SPARQL store."""

from culturedata.store.dump import DUMP_FORMATS, dump, restore
from culturedata.store.loader import Batch, Loader, Provenance, RecordState
from culturedata.store.lock import RunLock
from culturedata.store.merged import is_merged, merge, unmerge
from culturedata.store.remote import Endpoints, RemoteTarget
from culturedata.store.reports import RunReports
from culturedata.store.rollback import RolledBack, roll_back
from culturedata.store.runstate import (
    Reason,
    SourceFigures,
    SourceQuality,
    SourceState,
    quarantine_reason,
    run_facts,
    source_quality,
)
from culturedata.store.snapshot import Snapshots, Staging
from culturedata.store.takedown import Takedown, Takedowns
from culturedata.store.target import EmbeddedTarget, Target
from culturedata.store.transaction import Transaction, transaction

__all__ = [
    "DUMP_FORMATS", "Batch", "EmbeddedTarget", "Endpoints", "Loader", "Provenance", "Reason", "RecordState",
    "RemoteTarget", "RolledBack", "RunLock", "RunReports", "SourceFigures", "SourceQuality", "SourceState",
    "Snapshots", "Staging", "Takedown", "Takedowns", "Target", "Transaction", "dump", "is_merged", "merge",
    "quarantine_reason", "restore", "roll_back", "run_facts", "source_quality", "transaction", "unmerge",
]
