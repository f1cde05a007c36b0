"""Adapters plug the ports into a place: memory, SQLite and local files, or AWS."""
