"""The wish vocabulary: each label ("tense", "time travel") and the phrasings that name it.

The understanding (chat/understanding/wishes.py) reads wishes in messages with it, and the claim checker
(explain/claims.py) tells from it whether a sentence speaks to a wish; it lives below both, so that explain
never imports chat.
"""

from __future__ import annotations

# label -> the phrasings that name it (normalized text: lower case, no punctuation). Labels are what
# the user reads back, so they are plain words; the embedder reads them too.
WISHES: dict[str, tuple[str, ...]] = {
    # feelings
    "tense": ("tense", "suspenseful", "gripping", "edge of my seat", "edge of your seat", "nail biting", "nail biter",
              "intense", "thrilling"),
    "funny": ("funny", "hilarious", "make me laugh", "laughs", "lighthearted", "light hearted", "silly", "goofy", "witty"),
    "feel-good": ("feel good", "feelgood", "uplifting", "heartwarming", "heart warming", "wholesome", "happy", "cheerful",
                  "cheer me up", "inspiring", "inspirational"),
    "dark": ("dark", "gritty", "bleak", "grim", "twisted", "disturbing"),
    "scary": ("scary", "creepy", "spooky", "terrifying", "frightening", "scare me", "jump scares"),
    "romantic": ("romantic", "love story", "date night"),
    "sad": ("sad", "tearjerker", "tear jerker", "make me cry", "emotional", "moving", "touching"),
    "mind-bending": ("mind bending", "mind blowing", "mind blown", "twist", "twists", "plot twist", "thought provoking",
                     "psychological", "cerebral", "makes you think", "make me think", "trippy"),
    "epic": ("epic", "sweeping"),
    "relaxing": ("relaxing", "easy watching", "chill", "light", "easygoing", "cozy", "cosy", "comfort"),
    "quirky": ("quirky", "weird", "offbeat", "odd", "strange", "cult", "bizarre", "absurd"),
    "violent": ("violent", "gory", "bloody", "brutal", "gore"),
    "smart": ("smart", "clever", "intelligent", "well written"),
    "action-packed": ("action packed", "explosions", "fight scenes", "fights", "car chases", "adrenaline", "fast paced"),
    "fun": ("fun", "entertaining", "enjoyable", "popcorn"),
    # who it is for
    "for kids": ("for kids", "for children", "for my kids", "with my kids", "with the kids", "kid friendly",
                 "family friendly", "for the family", "with my family", "for my family", "for the whole family"),
    "for a group": ("with my friends", "with friends", "with a group", "for a party", "group of friends"),
    # what it is about
    "true story": ("true story", "based on a true story", "true events", "real events", "biopic", "biography"),
    "time travel": ("time travel", "time traveling", "time travelling"),
    "space": ("space", "outer space", "astronauts", "spaceship", "spaceships", "planets"),
    "aliens": ("aliens", "extraterrestrial", "extraterrestrials", "ufo"),
    "superheroes": ("superhero", "superheroes", "super hero", "super heroes", "comic book", "comic books", "marvel", "dc"),
    "zombies": ("zombie", "zombies", "undead"),
    "vampires": ("vampire", "vampires"),
    "monsters": ("monster", "monsters", "creature", "creatures"),
    "robots": ("robot", "robots", "artificial intelligence", "androids", "cyborgs"),
    "dinosaurs": ("dinosaur", "dinosaurs"),
    "animals": ("animal", "animals", "dog", "dogs", "cat", "cats", "horse", "horses"),
    "sports": ("sport", "sports", "football", "baseball", "basketball", "boxing", "soccer", "hockey"),
    "music": ("music", "band", "rock and roll", "singing", "dance", "dancing"),
    "high school": ("high school", "teen", "teens", "teenagers", "teenage", "college"),
    "christmas": ("christmas", "holiday season", "xmas"),
    "spies": ("spy", "spies", "espionage", "secret agent"),
    "heist": ("heist", "robbery", "bank robbery", "con artists"),
    "courtroom": ("courtroom", "lawyer", "lawyers", "trial"),
    "history": ("historical", "history", "period piece", "medieval", "ancient rome", "costume drama"),
    "pirates": ("pirate", "pirates"),
    "martial arts": ("martial arts", "kung fu", "karate", "ninja", "ninjas", "samurai"),
    "disaster": ("disaster", "natural disaster", "earthquake", "volcano", "tornado", "asteroid"),
    "road trip": ("road trip", "road movie", "on the road"),
    "serial killers": ("serial killer", "serial killers", "psychopath", "psycho killer"),
    "detectives": ("detective", "detectives", "investigation", "cops", "police"),
    "cars": ("cars", "racing", "street racing"),
    "prison": ("prison", "jail"),
    "politics": ("politics", "political", "president", "election"),
    "religion": ("religion", "religious", "faith", "bible"),
    "survival": ("survival", "stranded", "wilderness"),
}
