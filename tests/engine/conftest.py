"""Hypothesis settings for the engine tests: derandomized, modest, no deadline."""

from hypothesis import settings

# derandomize keeps CI stable; the engine is pure, so fixed examples still cover it
settings.register_profile("engine", max_examples=100, deadline=None, derandomize=True)
settings.load_profile("engine")
