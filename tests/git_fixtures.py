"""Small git repositories for tests: a fixed identity and dates, no user or system configuration."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
MIT = "MIT License\n\nPermission is hereby granted, free of charge, ...\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=ENV)


def commit(repo: Path, files: dict[str, str], when: int) -> None:
    """Write `files` (relative path -> text) and commit them on day `when` of January 2024."""
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    env_date = f"2024-01-{when:02d}T00:00:00+00:00"
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", f"c{when}", "--date", env_date], check=True,
                   capture_output=True, env={**ENV, "GIT_COMMITTER_DATE": env_date})


def init(repo: Path, license: str | None = MIT) -> Path:
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    if license is not None:
        (repo / "LICENSE").write_text(license)
    return repo


def notebook(*sources: str, nbformat: int = 4) -> str:
    """An nbformat notebook of code cells with these sources (and one markdown cell first)."""
    cells = [{"cell_type": "markdown", "source": "# title", "metadata": {}}]
    cells += [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
              for s in sources]
    return json.dumps({"nbformat": nbformat, "nbformat_minor": 2, "metadata": {}, "cells": cells})
