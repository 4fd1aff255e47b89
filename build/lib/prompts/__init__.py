"""The prompt templates (the .md files beside this module), shipped with the package as its data.

`PROMPTS / "answer.md"` works in a source checkout, an editable install and a wheel alike
(importlib.resources: no path guessed from another module's location)."""
from importlib.resources import files

PROMPTS = files(__name__)
