"""The patent search engine: analysis, BM25 and dense retrieval, hybrid fusion, explanations.

Plain Python, no Django: :mod:`ipcenter.search.base` holds the interface every backend
implements (the embedded tantivy + HNSW default and Milvus), so the engine can be tested and
benchmarked without a web server. The Django app :mod:`ipcenter.navigation` sits on top.
"""
