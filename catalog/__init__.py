"""The item catalog and the user-item interactions it was rated with.

`load_catalog(data_dir)` returns a `Catalog`; everything downstream refers to
items by their dense index `Item.id` (0..n-1), never by the source file's ids.
"""

from catalog.model import Catalog, Interactions, Item
from catalog.movielens import load_catalog, locate_default_dataset

__all__ = ["Catalog", "Interactions", "Item", "load_catalog", "locate_default_dataset"]
