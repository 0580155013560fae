"""Subcommands of the ``symbreak`` CLI, one module each (see :mod:`symbreak.cli`)."""
