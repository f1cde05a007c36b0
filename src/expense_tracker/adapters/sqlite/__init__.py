"""The SQLite store of the local server: database, migrations, queries, running totals."""
