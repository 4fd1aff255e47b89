"""One loader per file type; each turns a file into an `ingest.document.Document`."""
