"""The item catalog and the user-item interactions it was rated (bought, clicked) with.

`load_catalog(path)` returns a `Catalog` from a folder or a catalog spec (see `catalog.loading`);
inside this project items are referred to by their dense index `Item.id` (0..n-1), and outside
(JSON, the app's API, the profile) by the catalog's own ids, `Item.source_id`.
"""

from catalog.errors import CatalogError
from catalog.loading import LOADERS, load_catalog
from catalog.model import Catalog, Interactions, Item
from catalog.recbole import locate_default_dataset

__all__ = ["LOADERS", "Catalog", "CatalogError", "Interactions", "Item", "load_catalog", "locate_default_dataset"]
