"""OpenML run sequences: `parse` (API responses), `store` (recorded or live responses), `signature`
(flows as operator signatures), `sequences` (the published 14-column schema), `exports` (study
ARFF exports), `schema` (the shipped tables) and `commands` (`mliter mine openml`).
"""
