"""Hearthline: an open-source contact center for firms whose agents work from home."""

__version__ = "0.1.0"
