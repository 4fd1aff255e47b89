"""Chunks, embeddings, Chroma, keyword index and fact store: the library of reports."""
