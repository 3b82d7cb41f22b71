"""Version histories: `mine` (the sequence model and miner), version sources `git`, `folder`
and `kaggle`, `signature` (what a version does, statically), `schema` (the shipped tables) and
`commands` (`mliter mine versions`).
"""
