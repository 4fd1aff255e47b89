"""The Chroma side of the library: one collection of chunk vectors, embedded Chroma or a Chroma server.

`NIANBAO_CHROMA_URL` (e.g. http://10.0.0.5:8000) selects a server (chromadb.HttpClient); otherwise a
PersistentClient lives in `<data dir>/chroma`. Telemetry is off either way. Vectors are always computed
by our own embedder and passed in (never Chroma's default embedding function, which downloads a model);
the collection is created with our registered embedding function and records the model that built it in
its metadata, and opening it with another model is refused.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

import numpy as np

from ingest.errors import UserError

ENV_URL = "NIANBAO_CHROMA_URL"
ENV_COLLECTION = "NIANBAO_CHROMA_COLLECTION"
DEFAULT_COLLECTION = "nianbao_chunks"
MODEL_KEY = "embedding_model"


class VectorStoreError(UserError):
    """Chroma cannot be used as configured. The message is Chinese and says what to do."""


def model_mismatch_message(built_with: str, configured: str) -> str:
    return (f"该资料库的向量由模型“{built_with}”生成，当前配置的模型是“{configured}”，两者的向量不能混用。"
            f"请把环境变量 NIANBAO_EMBEDDING 改回 {built_with}，或换一个新的数据目录（--data-dir）重新入库。")


def make_client(data_dir: Path, url: str | None = None):
    import chromadb
    from chromadb.config import Settings
    settings = Settings(anonymized_telemetry=False)
    url = url if url is not None else os.environ.get(ENV_URL)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        try:
            return chromadb.HttpClient(host=parsed.hostname or "localhost", port=parsed.port or 8000,
                                       ssl=parsed.scheme == "https", settings=settings)
        except Exception as e:  # the client pings the server on creation
            raise VectorStoreError(f"无法连接向量数据库服务 {url}：{e}。请确认 Chroma 服务已启动，"
                                   f"或取消环境变量 {ENV_URL} 改用本地数据目录。") from e
    return chromadb.PersistentClient(path=str(Path(data_dir) / "chroma"), settings=settings)


@dataclass
class VectorIndex:
    """The chunk-vector collection. Creates nothing until vectors are first added."""
    data_dir: Path
    model: str                                   # the embedder spec in use
    url: str | None = None
    name: str = field(default_factory=lambda: os.environ.get(ENV_COLLECTION, DEFAULT_COLLECTION))
    _client: object = field(default=None, init=False, repr=False)
    _collection: object = field(default=None, init=False, repr=False)
    # Opening Chroma is not thread-safe: 32 users' first questions at once made several clients race
    # ("Could not connect to tenant default_tenant"); one thread opens, the others wait and reuse.
    _open_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def is_server(self) -> bool:
        return bool(self.url if self.url is not None else os.environ.get(ENV_URL))

    def may_exist(self) -> bool:
        """False when there certainly is no collection yet (embedded Chroma never created): saves opening it."""
        return self.is_server() or (Path(self.data_dir) / "chroma").exists()

    def client(self):
        with self._open_lock:
            if self._client is None:
                self._client = make_client(self.data_dir, self.url)
            return self._client

    def collection(self, create: bool):
        """The collection, checked to be built by `self.model`; None if it does not exist and not `create`."""
        if self._collection is not None:
            return self._collection
        with self._open_lock:
            return self._open_collection(create)

    def _open_collection(self, create: bool):
        if self._collection is not None:
            return self._collection
        from vectorstore.embeddings import chroma_embedding_function
        client = self.client()
        existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        if self.name not in existing and not create:
            return None
        ef = chroma_embedding_function(self.model)
        if self.name in existing:
            col = client.get_collection(self.name)
            built_with = (col.metadata or {}).get(MODEL_KEY)
            if built_with and built_with != self.model:
                raise VectorStoreError(model_mismatch_message(built_with, self.model))
            col = client.get_collection(self.name, embedding_function=ef)
        else:
            col = client.get_or_create_collection(self.name, embedding_function=ef,
                                                  metadata={"hnsw:space": "cosine", MODEL_KEY: self.model})
        self._collection = col
        return col

    def built_with(self) -> str | None:
        """The model recorded by the collection, or None if there is no collection yet."""
        client = self.client()
        existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        if self.name not in existing:
            return None
        return (client.get_collection(self.name).metadata or {}).get(MODEL_KEY)

    def count(self) -> int:
        col = self.collection(create=False)
        return 0 if col is None else col.count()

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, documents: Sequence[str], metadatas: Sequence[dict]) -> None:
        col = self.collection(create=True)
        for i in range(0, len(ids), 500):
            col.upsert(ids=list(ids[i:i + 500]), embeddings=[v.tolist() for v in vectors[i:i + 500]],
                       documents=list(documents[i:i + 500]), metadatas=list(metadatas[i:i + 500]))

    def delete(self, ids: Sequence[str]) -> None:
        col = self.collection(create=False)
        if col is None or not ids:
            return
        for i in range(0, len(ids), 500):
            col.delete(ids=list(ids[i:i + 500]))

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        col = self.collection(create=False)
        if col is None:
            return []
        total = col.count()
        if total == 0:
            return []
        res = col.query(query_embeddings=[vector.tolist()], n_results=min(n, total), where=where or None,
                        include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]
