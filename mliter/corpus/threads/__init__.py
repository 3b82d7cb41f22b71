"""Public AutoML user threads: the staged excerpts, the GitHub issues client, pseudonyms, the sources table."""
