"""Hypothesis profiles for the normalizer tests.

The default profile keeps the suite fast. For a long hunt for crashes run
``pytest tests/normalize --hypothesis-profile=normalize-stress``.
"""

from hypothesis import settings

settings.register_profile("normalize-stress", max_examples=5000, deadline=None)
