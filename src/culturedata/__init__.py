"""culturedata: harvest, map, validate and publish Quebec cultural data as linked open data."""

__version__ = "0.1.0"
