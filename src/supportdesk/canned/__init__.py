"""Canned replies: shared answers that agents insert with ``/shortcut``, per language."""
