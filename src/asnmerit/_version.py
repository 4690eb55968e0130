"""The version of asnmerit, written once: the package metadata is read from here."""

__version__ = "0.1.0"
