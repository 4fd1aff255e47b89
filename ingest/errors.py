"""Errors a user can act on. Every message is Chinese and says what to do."""
from __future__ import annotations


class ExtractError(Exception):
    """A file that cannot be read as an annual report. `code` is stable for programs; `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
