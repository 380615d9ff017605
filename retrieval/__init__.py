"""Semantic retrieval: a sentence-transformer embeds item texts into a ChromaDB collection."""

from retrieval.embedder import Embedder
from retrieval.filters import Filters
from retrieval.index import ItemIndex

__all__ = ["Embedder", "Filters", "ItemIndex"]
