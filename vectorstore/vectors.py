"""The Chroma side of the library: one collection of chunk vectors, embedded Chroma or a Chroma server.

`NIANBAO_CHROMA_URL` (e.g. http://10.0.0.5:8000) selects a server (chromadb.HttpClient); otherwise a
PersistentClient lives in `<data dir>/chroma`. Telemetry is off either way. Vectors are always computed
by our own embedder and passed in (never Chroma's default embedding function, which downloads a model);
the collection is created with our registered embedding function and records the model that built it in
its metadata, and opening it with another model is refused.

Several processes on one data folder (the web app and `nianbao ingest`): embedded Chroma keeps its index in
memory per process, so a process would not see vectors another one added (and fail with “Error finding
id”). Every Chroma operation therefore goes through `<data dir>/chroma.lock`: writes hold it exclusively
and bump the generation number written in it; reads hold it shared; a process whose client was opened at
an older generation reopens Chroma (a new client over the same folder) before it reads or writes. Within a
process one client per folder is shared by all `VectorIndex` objects and opened under a lock (chromadb's
client cache is not safe against a burst of threads opening it at once). A Chroma server needs none of this.
"""
from __future__ import annotations

import fcntl
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

import numpy as np

from ingest.errors import UserError
from ingest.settings import Settings, setting

ENV_URL = setting("chroma_url").name
ENV_COLLECTION = setting("chroma_collection").name
DEFAULT_COLLECTION = "nianbao_chunks"
MODEL_KEY = "embedding_model"
LOCK_NAME = "chroma.lock"

_OPEN_LOCK = threading.RLock()                 # opening / reopening embedded Chroma, process-wide



def _collection_name(s: Settings) -> str:
    return s.chroma_collection if s.chroma_collection is not None else DEFAULT_COLLECTION

@dataclass
class _Opened:
    """The embedded Chroma client of one folder in this process, and the generation it was opened at."""
    client: object
    generation: int
    epoch: int                                 # bumps on every reopen; a VectorIndex drops its collection then


_EMBEDDED: dict[str, _Opened] = {}


class VectorStoreError(UserError):
    """Chroma cannot be used as configured. The message is Chinese and says what to do."""


def model_mismatch_message(built_with: str, configured: str) -> str:
    return (f"该资料库的向量由模型“{built_with}”生成，当前配置的模型是“{configured}”，两者的向量不能混用。"
            f"请把环境变量 {setting('embedding').name} 改回 {built_with}，或换一个新的数据目录（--data-dir）重新入库。")


def make_client(data_dir: Path, url: str | None = None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    settings = ChromaSettings(anonymized_telemetry=False)
    url = url if url is not None else Settings.from_env().chroma_url
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
    name: str = field(default_factory=lambda: _collection_name(Settings.from_env()))
    _client: object = field(default=None, init=False, repr=False)
    _collection: object = field(default=None, init=False, repr=False)
    _epoch: int = field(default=0, init=False, repr=False)
    # Opening the collection is not thread-safe on a Chroma server either: 32 users' first questions at once made
    # several threads race ("Could not connect to tenant default_tenant"); one thread opens, the others reuse.
    _open_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def is_server(self) -> bool:
        return bool(self.url if self.url is not None else Settings.from_env().chroma_url)

    def may_exist(self) -> bool:
        """False when there certainly is no collection yet (embedded Chroma never created): saves opening it."""
        return self.is_server() or (Path(self.data_dir) / "chroma").exists()

    # -- opening, locking and reloading --------------------------------------------------------------
    @contextmanager
    def _guard(self, write: bool):
        """Hold the folder's Chroma lock (exclusive for a write) with an up-to-date client; a write bumps the
        generation. A Chroma server: nothing to hold."""
        if self.is_server():
            yield
            return
        lock = Path(self.data_dir) / LOCK_NAME
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            try:
                f.seek(0)
                text = f.read().strip()
                generation = int(text) if text.isdigit() else 0
                self._ensure_current(generation)
                yield
                if write:
                    f.seek(0)
                    f.truncate()
                    f.write(str(generation + 1))
                    f.flush()
                    with _OPEN_LOCK:
                        opened = _EMBEDDED.get(self._key())
                        if opened is not None and opened.generation == generation:
                            opened.generation = generation + 1
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _key(self) -> str:
        return str((Path(self.data_dir) / "chroma").resolve())

    def _ensure_current(self, generation: int) -> None:
        """Reopen this process's client when another process wrote since it was opened."""
        with _OPEN_LOCK:
            opened = _EMBEDDED.get(self._key())
            if opened is not None and opened.generation != generation:
                _forget_system(opened.client)
                opened = None
            if opened is None:
                epoch = max((o.epoch for o in _EMBEDDED.values()), default=0) + 1
                opened = _EMBEDDED[self._key()] = _Opened(make_client(self.data_dir, self.url), generation, epoch)
            if self._epoch != opened.epoch:
                self._client, self._collection, self._epoch = opened.client, None, opened.epoch

    def open(self) -> None:
        """Open Chroma now (the app does this before serving, so a burst of first questions finds it open)."""
        with self._guard(write=False):
            self.client()

    def client(self):
        if self._client is None:
            if self.is_server():
                with _OPEN_LOCK:
                    if self._client is None:
                        self._client = make_client(self.data_dir, self.url)
            else:
                with self._guard(write=False):
                    pass
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
        with self._guard(write=False):
            client = self.client()
            existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
            if self.name not in existing:
                return None
            return (client.get_collection(self.name).metadata or {}).get(MODEL_KEY)

    def count(self) -> int:
        with self._guard(write=False):
            col = self.collection(create=False)
            return 0 if col is None else col.count()

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, documents: Sequence[str], metadatas: Sequence[dict]) -> None:
        with self._guard(write=True):
            col = self.collection(create=True)
            for i in range(0, len(ids), 500):
                col.upsert(ids=list(ids[i:i + 500]), embeddings=[v.tolist() for v in vectors[i:i + 500]],
                           documents=list(documents[i:i + 500]), metadatas=list(metadatas[i:i + 500]))

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        with self._guard(write=True):
            col = self.collection(create=False)
            if col is None:
                return
            for i in range(0, len(ids), 500):
                col.delete(ids=list(ids[i:i + 500]))

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        with self._guard(write=False):
            col = self.collection(create=False)
            if col is None:
                return []
            total = col.count()
            if total == 0:
                return []
            res = col.query(query_embeddings=[vector.tolist()], n_results=min(n, total), where=where or None,
                            include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]


def _forget_system(client) -> None:
    """Drop chromadb's cached system for this client's folder so the next client reads the folder afresh.
    The old system is not stopped: a thread may still be reading through it; it goes with its last user."""
    from chromadb.api.shared_system_client import SharedSystemClient
    ident = getattr(client, "_identifier", None)
    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(ident, None)
        SharedSystemClient._identifier_to_refcount.pop(ident, None)
