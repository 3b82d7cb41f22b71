"""The one error base of mliter: every error the `mliter` command reports derives from `MliterError`.

Stage modules define their own subclasses (a codebook error, a notebook error, a store error...)
so callers can catch what they handle; the CLI catches `MliterError` and prints its message,
which names the file, row or cell at fault. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class MliterError(Exception):
    """Base of every error mliter reports to a user."""


class InputError(MliterError, ValueError):
    """Bad input given by a user: an argument, a file or a value that cannot be used as it is.

    It is also a `ValueError`, so code that catches value errors keeps working.
    """
