"""Fuse semantic similarity with the CF prior, then pick a diverse top-k."""

from ranking.fusion import FUSIONS, fuse, minmax, mmr

__all__ = ["FUSIONS", "fuse", "minmax", "mmr"]
