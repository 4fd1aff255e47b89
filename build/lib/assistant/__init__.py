"""Validator, query understanding, answer chains and drafting."""
