"""REFI-QDA exchange (QDA-XML 1.0): .qdc codebooks and .qdpx projects, read, written and validated."""
