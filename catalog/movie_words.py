"""MovieLens' default catalog data: the words that describe what watching a genre feels like.

They go into the text we embed, so that a mood ("something tense", "make me laugh") lands near the
right items even though MovieLens only has titles, years and genres. Other catalogs bring their own
words per category (a catalog spec's [category_words]) or none.
"""

from __future__ import annotations

MOVIE_CATEGORY_WORDS: dict[str, str] = {
    "Action": "action, fights, chases, explosions",
    "Adventure": "adventure, quests, journeys, exploration",
    "Animation": "animated, cartoon",
    "Children's": "family friendly, for kids, children",
    "Children": "family friendly, for kids, children",  # ml-latest's name for ml-100k's "Children's"
    "Comedy": "comedy, funny, humorous, lighthearted, laughs",
    "Crime": "crime, gangsters, heists, police",
    "Documentary": "documentary, real events, non-fiction",
    "Drama": "drama, emotional, serious",
    "Fantasy": "fantasy, magic, myth",
    "Film-Noir": "film noir, dark, detectives, cynical",
    "Horror": "horror, scary, frightening, gore",
    "IMAX": "imax, big screen, spectacle",
    "Musical": "musical, songs, dancing",
    "Mystery": "mystery, whodunit, puzzles",
    "Romance": "romance, love story, romantic",
    "Sci-Fi": "science fiction, sci-fi, space, future, aliens, technology",
    "Thriller": "thriller, tense, suspense, gripping, edge of your seat",
    "War": "war, soldiers, battles",
    "Western": "western, cowboys, frontier",
}

# The 19 genres of ml-100k's u.genre, in the order of u.item's flag columns (used when u.genre is missing).
ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)

# Words people use for a genre -> the genre (MovieLens' default [category_synonyms]). The genre names
# themselves, their plurals and singulars need no entry: chat.understanding.categories derives them.
MOVIE_CATEGORY_SYNONYMS: dict[str, str] = {
    "science fiction": "Sci-Fi", "sci fi": "Sci-Fi", "scifi": "Sci-Fi",
    "film noir": "Film-Noir", "noir": "Film-Noir",
    "love story": "Romance", "love stories": "Romance", "rom com": "Romance", "romcom": "Romance",
    "romantic": "Romance", "romances": "Romance",
    "adventures": "Adventure",
    "animated": "Animation", "cartoon": "Animation", "cartoons": "Animation",
    "kids": "Children's", "children": "Children's", "childrens": "Children's", "family": "Children's",
    "comedies": "Comedy", "funny": "Comedy", "hilarious": "Comedy", "laugh": "Comedy",
    "gangster": "Crime", "gangsters": "Crime", "heist": "Crime", "mafia": "Crime",
    "documentaries": "Documentary",
    "dramas": "Drama",
    "magic": "Fantasy",
    "scary": "Horror", "slasher": "Horror", "slashers": "Horror",
    "musicals": "Musical",
    "mysteries": "Mystery", "whodunit": "Mystery",
    "thrillers": "Thriller", "suspense": "Thriller",
    "westerns": "Western", "cowboy": "Western", "cowboys": "Western",
}
