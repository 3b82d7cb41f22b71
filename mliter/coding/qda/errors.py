"""The one error of the REFI-QDA package: names the file and the element that is wrong."""

from __future__ import annotations

from mliter.errors import InputError


class QdaError(InputError):
    """A REFI-QDA file that cannot be read or written; the message names the file and the element."""

    def __init__(self, file: str, element: str | None, message: str) -> None:
        self.file, self.element = str(file), element
        where = self.file + (f": {element}" if element else "")
        super().__init__(f"{where}: {message}")
