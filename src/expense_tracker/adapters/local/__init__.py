"""Adapters of the local server only: files on disk, its own identity provider and tokens,
the upload target."""
