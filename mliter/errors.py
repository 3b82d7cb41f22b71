"""The one error base class: the CLI reports these (file, row or cell and what was expected)."""


class MliterError(Exception):
    """An input or state problem a user can fix; its message says where and what."""
