"""The demo job end to end, beside the same records harvested and mapped without validation.

The difference is what validation and loading cost on the demo sources; later benchmarks
measure each stage on large inputs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.report import compare, timed
from culturedata.config import load_config
from culturedata.harvest import harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.pipeline import run

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(ROOT / "culturedata.toml", work / "culturedata.toml")
        shutil.copytree(ROOT / "sample_inputs", work / "sample_inputs")
        config = load_config(work / "culturedata.toml")
        sources = config.select(())

        def full_run() -> int:
            report = run(config, sources)
            return sum(s.harvested for s in report.sources)

        def map_only() -> int:
            count = 0
            for source in sources:
                mapping = load_mapping(source.mapping)
                context = MappingContext.for_source(config.base_iri, source.id, source.language)
                count += sum(1 for _ in map_records(mapping, harvest(source), context))
            return count

        seconds, records = timed(full_run)
        base_seconds, base_records = timed(map_only)
        compare("demo run, records/s (end to end)", "rec/s", records / seconds,
                base_records / base_seconds, "harvest+map only")


if __name__ == "__main__":
    main()
