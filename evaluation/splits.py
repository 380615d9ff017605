"""Train / validation / test splits of the interactions (every rating is one implicit interaction).

A split keeps a boolean mask over the interactions for training and two users x items
CSR matrices of held-out items. Users without a validation or test item simply have
an empty row there and are left out of that evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from catalog.model import Interactions

PROTOCOLS = ("leave-last-out", "random-811")


@dataclass
class Split:
    protocol: str
    train_mask: np.ndarray  # bool, one per interaction
    valid: sp.csr_matrix  # users x items, 1 where held out for validation
    test: sp.csr_matrix  # users x items, 1 where held out for testing

    def train(self, interactions: Interactions, n_items: int) -> sp.csr_matrix:
        return _matrix(interactions.user[self.train_mask], interactions.item[self.train_mask],
                       interactions.n_users, n_items)


def _matrix(users: np.ndarray, items: np.ndarray, n_users: int, n_items: int) -> sp.csr_matrix:
    m = sp.csr_matrix((np.ones(len(users), dtype=np.float32), (users, items)), shape=(n_users, n_items))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def _by_user(interactions: Interactions, order: np.ndarray) -> list[np.ndarray]:
    """Interaction indexes grouped per user, each group in the given global order."""
    users = interactions.user[order]
    bounds = np.searchsorted(users, np.arange(interactions.n_users + 1))
    return [order[bounds[u]:bounds[u + 1]] for u in range(interactions.n_users)]


def leave_last_out(interactions: Interactions, n_items: int) -> Split:
    """Per user by timestamp: last interaction -> test, the one before -> validation, the rest -> train.

    Ties in timestamp are broken by the order of the ratings file (a stable sort), so the split is fixed.
    """
    order = np.lexsort((interactions.timestamp, interactions.user))  # stable: user, then time
    train = np.ones(len(interactions), dtype=bool)
    valid_idx, test_idx = [], []
    for rows in _by_user(interactions, order):
        if len(rows) >= 3:
            test_idx.append(rows[-1])
            valid_idx.append(rows[-2])
    train[test_idx] = False
    train[valid_idx] = False
    return _make("leave-last-out", interactions, n_items, train, np.array(valid_idx), np.array(test_idx))


def random_811(interactions: Interactions, n_items: int, seed: int = 2020) -> Split:
    """Per-user random 80/10/10 split with RecBole's rounding (valid and test get int(0.1 * n) each)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(interactions.user, kind="stable")
    train = np.ones(len(interactions), dtype=bool)
    valid_idx, test_idx = [], []
    for rows in _by_user(interactions, order):
        n = len(rows)
        rows = rows[rng.permutation(n)]
        n_valid = n_test = int(0.1 * n)
        if n_valid == 0 and n >= 3:  # very short histories still get one of each
            n_valid = n_test = 1
        valid_idx.extend(rows[n - n_valid - n_test:n - n_test])
        test_idx.extend(rows[n - n_test:])
    valid_idx, test_idx = np.array(valid_idx, dtype=np.int64), np.array(test_idx, dtype=np.int64)
    train[valid_idx] = False
    train[test_idx] = False
    return _make("random-811", interactions, n_items, train, valid_idx, test_idx)


def _make(protocol, interactions, n_items, train, valid_idx, test_idx) -> Split:
    n_users = interactions.n_users
    valid = _matrix(interactions.user[valid_idx], interactions.item[valid_idx], n_users, n_items)
    test = _matrix(interactions.user[test_idx], interactions.item[test_idx], n_users, n_items)
    return Split(protocol, train, valid, test)


def make_split(protocol: str, interactions: Interactions, n_items: int, seed: int = 2020) -> Split:
    if protocol == "leave-last-out":
        return leave_last_out(interactions, n_items)
    if protocol == "random-811":
        return random_811(interactions, n_items, seed)
    raise ValueError(f"Protocol '{protocol}' is unknown: choose one of {', '.join(PROTOCOLS)}")


def subsample_users(n_users: int, n: int | None, seed: int) -> np.ndarray:
    """All users (n None or >= n_users) or a fixed-seed sample of n, sorted."""
    if n is None or n >= n_users:
        return np.arange(n_users)
    return np.sort(np.random.default_rng(seed).choice(n_users, size=n, replace=False))
