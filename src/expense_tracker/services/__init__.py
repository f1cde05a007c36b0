"""Use cases as plain functions; ports are passed in, no framework imports."""
