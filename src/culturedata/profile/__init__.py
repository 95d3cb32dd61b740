"""The application profile's documentation, generated from the shapes and vocabularies."""

from culturedata.profile.docs import render_profile_doc, write_profile_docs

__all__ = ["render_profile_doc", "write_profile_docs"]
