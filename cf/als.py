"""ALS collaborative filtering: train once on the interactions, save, reuse; fold in chat users.

A chat user has no row in the training matrix. `user_vector` solves for one from the
items they said they liked (implicit's `recalculate_user`), so the CF prior works from
the first turn. With nothing liked yet, the prior is item popularity.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from catalog.model import Catalog, Interactions
from runtime.cache_files import set_aside, write_file

log = logging.getLogger("recs.cf")


@dataclass(frozen=True)
class ALSConfig:
    # Picked on validation NDCG@10 by `python -m evaluation offline` (docs/RESULTS.md).
    factors: int = 32
    regularization: float = 0.5
    alpha: float = 1.0
    iterations: int = 15
    seed: int = 42

    @classmethod
    def for_catalog(cls, catalog: Catalog) -> "ALSConfig":
        """The defaults, with what the catalog's [ranking] tuned (als_alpha: conversations are sparser than ratings)."""
        alpha = catalog.ranking.get("als_alpha")
        return cls() if alpha is None else cls(alpha=float(alpha))

    @property
    def key(self) -> str:
        return hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()[:8]


def interaction_matrix(interactions: Interactions, n_items: int, mask: np.ndarray | None = None) -> sp.csr_matrix:
    """Users x items CSR of implicit feedback: every rating counts as one interaction."""
    users, items = interactions.user, interactions.item
    if mask is not None:
        users, items = users[mask], items[mask]
    data = np.ones(len(users), dtype=np.float32)
    matrix = sp.csr_matrix((data, (users, items)), shape=(interactions.n_users, n_items), dtype=np.float32)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def fit_als(user_items: sp.csr_matrix, config: ALSConfig, progress: bool = True):
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    # implicit warns that multithreaded BLAS slows its own threads down.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=config.factors, regularization=config.regularization, alpha=config.alpha,
            iterations=config.iterations, random_state=config.seed,
        )
        model.fit(user_items, show_progress=progress)
    return model


LIKED_SHARE = 0.8  # a rating at this share of the scale's top or above is a "liked it" (4 and 5 of 5)


def well_liked_counts(catalog: Catalog) -> np.ndarray:
    """How many people liked each item: ratings in the top of the scale, or every interaction when all are equal.

    With no taste signal yet, this is the prior: an item many people liked beats one many people merely
    rated (on recorded conversations it finds what people recommend more often than the rating count does).
    """
    inter = catalog.interactions
    ratings = np.asarray(inter.rating, dtype=np.float64)
    liked = ratings >= LIKED_SHARE * ratings.max() if len(ratings) and ratings.max() > ratings.min() else np.ones(len(ratings), bool)
    return np.bincount(inter.item[liked], minlength=len(catalog.items)).astype(np.float32)


class CFModel:
    """ALS item factors plus a popularity prior for one catalog, cached on disk."""

    def __init__(self, catalog: Catalog, cache_dir: Path, config: ALSConfig | None = None):
        self.catalog = catalog
        self.config = config or ALSConfig.for_catalog(catalog)
        self.path = Path(cache_dir) / "als" / f"als-{catalog.fingerprint}-{self.config.key}.npz"
        self._model = None
        self._lock = threading.Lock()
        self.trained_now = False
        self._item_norms: np.ndarray | None = None
        log_pop = np.log1p(well_liked_counts(catalog))
        self.popularity_prior = log_pop / max(float(log_pop.max()), 1e-9)  # 0..1

    def load(self):
        with self._lock:
            if self._model is None:
                self._model = self._load_or_train()
                factors = self._model.item_factors
                self._item_norms = np.linalg.norm(factors, axis=1) + 1e-9
        return self._model

    def _load_or_train(self):
        if self.path.exists():
            try:
                return self._load_checked()
            except Exception as err:  # a damaged file raises anything from BadZipFile to EOFError
                set_aside(self.path, err)
        start = time.perf_counter()
        model = fit_als(interaction_matrix(self.catalog.interactions, len(self.catalog)), self.config)
        write_file(self.path, model.save)
        self.trained_now = True
        log.info("trained ALS on %d interactions in %.1fs", len(self.catalog.interactions), time.perf_counter() - start)
        return model

    def _load_checked(self):
        """The cached model, if it is whole and fits this catalog; raises otherwise."""
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit warns at construction otherwise
            model = AlternatingLeastSquares.load(str(self.path))
        factors = getattr(model, "item_factors", None)
        expected = (len(self.catalog), self.config.factors)
        if not isinstance(factors, np.ndarray) or factors.shape != expected:
            shape = getattr(factors, "shape", None)
            raise ValueError(f"item factors have shape {shape}, expected {expected}")
        if not np.isfinite(factors).all():
            raise ValueError("item factors are not all finite")
        return model

    @property
    def item_factors(self) -> np.ndarray:
        return self.load().item_factors

    def user_vector(self, liked: list[int], weights: list[float] | None = None) -> np.ndarray | None:
        """Fold a chat user in from the items they liked (each with its weight, default 1); None when none."""
        if not liked:
            return None
        model = self.load()
        data = np.ones(len(liked), dtype=np.float32) if weights is None else np.asarray(weights, dtype=np.float32)
        row = sp.csr_matrix((data, ([0] * len(liked), liked)), shape=(1, len(self.catalog)))
        return model.recalculate_user(0, row)

    def scores(self, liked: list[int], item_ids: list[int] | None = None,
               weights: list[float] | None = None) -> np.ndarray:
        """CF prior for items (all when item_ids is None): ALS fold-in scores, else popularity."""
        user = self.user_vector(liked, weights)
        if item_ids is None:  # every item: no fancy-indexed copy of the factors (128 MB at a million items)
            return self.popularity_prior.copy() if user is None else self.item_factors @ user
        ids = np.asarray(item_ids, dtype=np.int64)
        return self.popularity_prior[ids] if user is None else self.item_factors[ids] @ user

    def similar(self, item_id: int, among: list[int]) -> list[tuple[int, float]]:
        """Cosine similarity of one item's factors to each of `among`, best first."""
        self.load()
        factors = self.item_factors
        sims = factors[among] @ factors[item_id] / (self._item_norms[among] * self._item_norms[item_id])
        return sorted(zip(among, sims.tolist()), key=lambda p: -p[1])
