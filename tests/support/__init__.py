"""Helpers shared by test modules (tests import from here or conftest, never from each other).

- `learner`: playing a learner (an independent solver, reading problems, `dojobot run`)
- `classes`: a group run as a class, and class rows written straight into a database
- `cli`: running `dojobot ...` in-process and writing legacy exports
- `postgres`: a fresh database per test in the cluster scripts/with-postgres starts
"""
