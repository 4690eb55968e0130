"""The ``asnmerit`` command line. Exit codes: 0 ok, 1 findings or failures, 2 usage error."""

from .commands import main

__all__ = ["main"]
