"""Instructor tooling for the course: the ``kosovo-course`` command, built on nbgrader's API.

Every subcommand works on an nbgrader course directory (the folder holding ``nbgrader_config.py``)
and leaves it in a state that formgrader, ``nbgrader export`` and the other nbgrader tools read as
their own. Student-facing modules never import this package.
"""
