"""Thin entry points: HTTP (FastAPI), Lambda, CLI."""
