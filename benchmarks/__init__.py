"""`make bench`: measurements (not tests) of the app, each beside a baseline from the same run.

Entry point: `python -m benchmarks.run [--quick] [--only server,scale,...]`; see BENCHMARKS.md."""
