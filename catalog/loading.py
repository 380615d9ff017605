"""`load_catalog(path)`: pick the loader for a folder or a catalog spec, by name or by the files found.

    load_catalog()                      the shipped movies catalog (data/movies: ReDial's 6,924 films)
    load_catalog("ml-100k")             MovieLens-100K from the recbole package (a name, not a path)
    load_catalog("data/ml-25m")         a folder: catalog.toml/.yaml inside it, else its format is detected
    load_catalog("shop/catalog.toml")   a spec naming the format, files, columns and noun
"""

from __future__ import annotations

import logging
from pathlib import Path

from catalog.base import CatalogLoader
from catalog.errors import CatalogError, CatalogNotFound, listing
from catalog.generic import GenericLoader
from catalog.model import Catalog
from catalog.movielens import MovieLens100kLoader, MovieLensLoader
from catalog.recbole import RecBoleLoader, locate_default_dataset
from catalog.spec import SPEC_NAMES, SPEC_SUFFIXES, CatalogSpec, InteractionsSpec, ItemsSpec, read_spec

log = logging.getLogger("recs.catalog")

# The catalog this repository ships (built by `python -m catalog build-movies`; data/movies/README.md).
MOVIES_FOLDER = Path(__file__).resolve().parents[1] / "data" / "movies"
ML100K = "ml-100k"
DEFAULT_CATALOG = "movies"
# Names RECS_DATA may give instead of a path; None: the recbole package's ml-100k.
NAMED_CATALOGS: dict[str, Path | None] = {DEFAULT_CATALOG: MOVIES_FOLDER, ML100K: None}


def named_catalog(path: Path | str | None) -> str | None:
    """The catalog name `path` stands for ("movies", "ml-100k"), or None when it is a path of its own.

    A name wins unless a folder or file of that name exists where we run."""
    if path is None:
        return DEFAULT_CATALOG
    text = str(path).strip()
    if text in NAMED_CATALOGS and not Path(text).exists():
        return text
    return None

# Format name -> loader, in the order detection tries them (the most specific files first).
LOADERS: dict[str, type[CatalogLoader]] = {
    RecBoleLoader.name: RecBoleLoader,
    MovieLens100kLoader.name: MovieLens100kLoader,
    MovieLensLoader.name: MovieLensLoader,
    GenericLoader.name: GenericLoader,
}


def loader_for(name: str, where: Path | str = "catalog spec") -> type[CatalogLoader]:
    if name not in LOADERS:
        raise CatalogError(where, f"format '{name}' is unknown; known formats: {listing(LOADERS)}.",
                           "set format to one of them, or leave it out to detect it from the files")
    return LOADERS[name]


def detect(folder: Path) -> type[CatalogLoader]:
    for loader in LOADERS.values():
        if loader.detect(folder):
            return loader
    found = sorted(p.name for p in folder.iterdir())
    expected = "; ".join(f"{name}: {loader.expects}" for name, loader in LOADERS.items())
    raise CatalogNotFound(folder, f"holds no catalog I can read. Found: {listing(found)}. Expected a catalog spec "
                               f"({listing(SPEC_NAMES)}) or the files of a format ({expected}).",
                       "add a catalog.toml that names your files and columns (README: 'Your own catalog')")


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load items and interactions from a folder, a catalog spec or a name (None: the shipped movies catalog)."""
    name = named_catalog(path)
    if name is not None and NAMED_CATALOGS[name] is not None:
        path = NAMED_CATALOGS[name]
        if not (path / "catalog.toml").is_file():
            raise FileNotFoundError(f"The shipped movies catalog is missing from '{path}': restore data/movies from git, "
                                    "or rebuild it with `python -m catalog build-movies SOURCES data/movies`")
    if name == ML100K:
        folder, spec = locate_default_dataset(), CatalogSpec()
    else:
        path = Path(path).expanduser()
        if path.is_file():
            if path.suffix.lower() not in SPEC_SUFFIXES:
                raise CatalogError(path, f"is a file, but not a catalog spec ({listing(SPEC_SUFFIXES)}).",
                                   "set RECS_DATA to the folder that holds the catalog files, or to a catalog.toml")
            spec = read_spec(path)
            folder = spec.data_folder(path.parent)
        elif path.is_dir():
            inside = [path / name for name in SPEC_NAMES if (path / name).is_file()]
            spec = read_spec(inside[0]) if inside else CatalogSpec()
            folder = spec.data_folder(path)
        else:
            raise FileNotFoundError(f"Dataset folder '{path}' not found: set RECS_DATA to a catalog folder or a "
                                    f"catalog spec (.toml or .yaml); README: 'Your own catalog'")
        if not folder.is_dir():
            raise CatalogError(spec.path or folder, f"names the data folder '{folder}', which does not exist.",
                               "set folder to the directory that holds the files, relative to the spec")
    names_tables = spec.items != ItemsSpec() or spec.interactions != InteractionsSpec()
    if spec.format:
        loader = loader_for(spec.format, spec.path or folder)
    else:  # a spec that names files and columns is a generic catalog; otherwise the files say what it is
        loader = GenericLoader if names_tables else detect(folder)
    if names_tables and loader is not GenericLoader:
        raise CatalogError(spec.path or folder, f"sets [items] or [interactions], which only the generic format reads; "
                                                f"format is '{loader.name}'.",
                           "set format = \"generic\", or drop those sections")
    catalog = spec.apply(loader().load(folder, spec))
    log.info("catalog %s: %d %s, %d interactions, from %s", catalog.name, len(catalog), catalog.nouns,
             len(catalog.interactions), catalog.source)
    return catalog
