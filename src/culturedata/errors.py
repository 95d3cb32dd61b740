"""Errors that stop a stage, each carrying a message code so the CLI can say it in fr or en.

    CultureDataError                 exit 5 unless a subclass says otherwise
    ├── UsageError                   exit 2: bad arguments or definitions; nothing ran
    │   ├── ConfigError              culturedata.toml is missing, unreadable or wrong
    │   ├── MappingError             a mapping file is missing or invalid
    │   └── ShapesError              the SHACL shapes or vocabularies do not load
    ├── InputError                   exit 2: an input file cannot be read or parsed
    ├── HarvestError                 exit 3: a source failed
    │   ├── SourceUnavailable        a source could not be reached
    │   └── OAIProtocolError         an OAI-PMH server broke the protocol
    │       └── ResumptionLoop       a resumption token repeats or pages stop progressing
    ├── StoreError                   exit 5: the store cannot be opened or written
    │   └── PublishRefused           exit 4: a guard refused to publish
    └── ServerError                  exit 2: the server cannot start as configured

Non-fatal problems with single records are `records.Finding` values, never exceptions.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Process exit codes; cron and CI act on them. Documented in `culturedata --help`."""

    OK = 0
    DATA_PROBLEMS = 1
    USAGE = 2
    SOURCE_FAILED = 3
    PUBLISH_REFUSED = 4
    INTERNAL = 5
    INTERRUPTED = 130


class CultureDataError(Exception):
    """Base class. `code` names a message in `culturedata.messages`; `params` fill it in."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        from culturedata.messages import t

        return t(self.code, **self.params)


class UsageError(CultureDataError):
    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    pass


class MappingError(UsageError):
    pass


class ShapesError(UsageError):
    pass


class InputError(CultureDataError):
    exit_code = ExitCode.USAGE


class HarvestError(CultureDataError):
    exit_code = ExitCode.SOURCE_FAILED


class SourceUnavailable(HarvestError):
    pass


class OAIProtocolError(HarvestError):
    pass


class ResumptionLoop(OAIProtocolError):
    pass


class StoreError(CultureDataError):
    exit_code = ExitCode.INTERNAL


class PublishRefused(StoreError):
    exit_code = ExitCode.PUBLISH_REFUSED


class ServerError(CultureDataError):
    """`culturedata serve` cannot start as configured (exit 2: fix the configuration)."""

    exit_code = ExitCode.USAGE
