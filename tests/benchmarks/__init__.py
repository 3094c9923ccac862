"""Performance benchmarks, run by `python -m tests.benchmarks` (never collected by pytest).

See run.py for the command line and README.md's Performance section for the latest figures.
"""
