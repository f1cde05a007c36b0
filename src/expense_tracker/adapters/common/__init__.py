"""Adapters every deployment uses: the clock and S3-style upload policies."""
