"""Capture: what material the study reads, with provenance (scrapers and loaders)."""
