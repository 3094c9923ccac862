"""The benchmarks are not tests: pytest collects nothing here (run `python -m tests.benchmarks`)."""

collect_ignore_glob = ["*.py"]
