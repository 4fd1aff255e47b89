"""Errors a user can act on. Every message is Chinese and says what to do."""
from __future__ import annotations


class UserError(Exception):
    """An error to show to the user as it is: `message` is Chinese and says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExtractError(UserError):
    """A file that cannot be read as an annual report. `code` is stable for programs; `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
