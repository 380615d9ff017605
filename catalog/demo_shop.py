"""A small generated shop: a few hundred products in taste groups, with synthetic orders whose right answers are known.

    python -m catalog demo-shop /tmp/shop        # writes products.csv, orders.jsonl and catalog.toml

Each product belongs to one taste group ("camping", "baking", ...) that spans several categories, and
every synthetic customer shops (mostly) inside one group. So for a customer who liked two camping
products, the right picks are the other camping products, whatever their category; and "no
electronics" must drop the camping headlamps but keep the tents. Tests and the README's worked
example use it; the seed fixes every product and order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# group -> (what it is for, brands, [(product noun, categories separated by "|")])
GROUPS: dict[str, tuple[str, tuple[str, ...], list[tuple[str, str]]]] = {
    "camping": ("camping, hiking and nights outdoors in the mountains", ("Trailwise", "Ridgeline", "Pinecrest"), [
        ("Tent", "Sports"), ("Sleeping Bag", "Sports"), ("Hiking Backpack", "Sports"), ("Trekking Poles", "Sports"),
        ("Hiking Boots", "Sports"), ("Headlamp", "Electronics"), ("Solar Charger", "Electronics"),
        ("GPS Watch", "Electronics|Sports"), ("Camp Stove", "Kitchen"), ("Titanium Cookpot", "Kitchen"),
        ("Trail Guide", "Books"), ("Wilderness First Aid Handbook", "Books")]),
    "baking": ("baking bread, cakes and pastry at home", ("Crumbly", "Hearthstone", "Flourish"), [
        ("Stand Mixer", "Kitchen|Electronics"), ("Loaf Pan", "Kitchen"), ("Rolling Pin", "Kitchen"),
        ("Proofing Basket", "Kitchen"), ("Cake Tin", "Kitchen"), ("Baking Sheet", "Kitchen"), ("Pastry Brush", "Kitchen"),
        ("Digital Kitchen Scale", "Electronics|Kitchen"), ("Oven Thermometer", "Electronics|Kitchen"),
        ("Sourdough Cookbook", "Books"), ("Cake Decorating Book", "Books"), ("Flour Canister", "Kitchen")]),
    "gardening": ("growing vegetables, flowers and herbs in the garden", ("Greenthumb", "Rootwell", "Bloomfield"), [
        ("Pruning Shears", "Garden"), ("Raised Garden Bed", "Garden"), ("Watering Can", "Garden"), ("Compost Bin", "Garden"),
        ("Seed Starter Tray", "Garden"), ("Garden Hose", "Garden"), ("Kneeling Pad", "Garden"), ("Herb Planter", "Garden"),
        ("Soil Moisture Sensor", "Electronics|Garden"), ("Sprinkler Timer", "Electronics|Garden"),
        ("Vegetable Garden Handbook", "Books"), ("Bird Feeder", "Garden")]),
    "office": ("working from home at a comfortable desk", ("Deskmate", "Workwell", "Focusly"), [
        ("Desk Lamp", "Office|Electronics"), ("Ergonomic Chair", "Office"), ("Standing Desk", "Office"),
        ("Notebook Set", "Office"), ("Desk Organizer", "Office"), ("Monitor Arm", "Office"), ("Wireless Keyboard", "Electronics"),
        ("Webcam", "Electronics"), ("Noise Cancelling Headphones", "Electronics"), ("USB Dock", "Electronics"),
        ("Fountain Pen", "Office"), ("Time Management Book", "Books")]),
    "crafts": ("children's crafts, drawing and play", ("Tinkertot", "Brightbee", "Doodlebug"), [
        ("Building Blocks", "Toys"), ("Craft Kit", "Toys"), ("Modeling Clay", "Toys"), ("Wooden Puzzle", "Toys"),
        ("Marble Run", "Toys"), ("Finger Paints", "Toys"), ("Crayon Set", "Office|Toys"), ("Colored Pencils", "Office"),
        ("Sketch Pad", "Office"), ("Picture Book", "Books"), ("Sticker Activity Book", "Books"), ("Toy Robot", "Toys|Electronics")]),
    "skincare": ("skin care, calm evenings and self care", ("Dewdrop", "Purely", "Glowen"), [
        ("Face Serum", "Beauty"), ("Moisturizer", "Beauty"), ("Sunscreen", "Beauty"), ("Facial Cleanser", "Beauty"),
        ("Sheet Masks", "Beauty"), ("Lip Balm", "Beauty"), ("Hand Cream", "Beauty"), ("Bath Salts", "Beauty"),
        ("Cleansing Brush", "Beauty|Electronics"), ("Aroma Diffuser", "Electronics"), ("Self Care Journal", "Books"),
        ("Silk Pillowcase", "Beauty")]),
    "fitness": ("home workouts, running and strength training", ("Stridewell", "Ironleaf", "Pulsefit"), [
        ("Yoga Mat", "Sports"), ("Dumbbell Set", "Sports"), ("Resistance Bands", "Sports"), ("Jump Rope", "Sports"),
        ("Foam Roller", "Sports"), ("Running Shoes", "Sports"), ("Kettlebell", "Sports"), ("Fitness Tracker", "Electronics|Sports"),
        ("Wireless Earbuds", "Electronics"), ("Protein Shaker", "Kitchen"), ("Smoothie Blender", "Kitchen|Electronics"),
        ("Marathon Training Book", "Books")]),
    "gaming": ("video games and board game nights with friends", ("Pixelforge", "Questcraft", "Boardwise"), [
        ("Gaming Mouse", "Electronics"), ("Game Controller", "Electronics"), ("Gaming Headset", "Electronics"),
        ("Mechanical Keyboard", "Electronics"), ("Strategy Board Game", "Toys"), ("Card Game", "Toys"), ("Dice Set", "Toys"),
        ("Puzzle Cube", "Toys"), ("Gaming Chair", "Office"), ("Mouse Pad", "Office"), ("Game Design Book", "Books"),
        ("Capture Card", "Electronics")]),
}
ADJECTIVES = ("sturdy", "lightweight", "compact", "classic", "premium", "handy", "durable", "simple")
CATEGORY_WORDS = {
    "Electronics": "electronics, gadgets, devices, tech, rechargeable, wireless",
    "Kitchen": "kitchen, cooking, cookware, food, recipes",
    "Garden": "garden, gardening, plants, outdoors, yard",
    "Books": "books, reading, guide, handbook",
    "Toys": "toys, games, play, fun, for kids",
    "Sports": "sports, outdoors, exercise, active",
    "Beauty": "beauty, skin, self care, cosmetics",
    "Office": "office, desk, work, stationery",
}
CATEGORY_SYNONYMS = {"gadgets": "Electronics", "tech": "Electronics", "cookware": "Kitchen", "stationery": "Office",
                     "cosmetics": "Beauty", "skincare": "Beauty", "games": "Toys"}
SPEC = """\
# A generated shop (python -m catalog demo-shop): products in taste groups, synthetic orders.
name = "demo-shop"
noun = "product"
category_label = "category"
example = "I loved the Trailwise Tent and the Ridgeline Headlamp, no electronics"

[items]
file = "products.csv"
id = "sku"
title = "name"
categories = "category"
separators = "|"
description = "description"

[interactions]
file = "orders.jsonl"
user = "customer"
item = "sku"
rating = "stars"
timestamp = "time"
"""


@dataclass
class Shop:
    folder: Path
    spec: Path  # catalog.toml
    groups: dict[str, list[str]]  # taste group -> its products' skus
    names: dict[str, str]  # sku -> product name
    categories: dict[str, tuple[str, ...]]  # sku -> its categories


def write_shop(folder: Path, customers: int = 500, seed: int = 13) -> Shop:
    """Write the shop's three files into `folder` and return what the right answers follow from."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows, groups, names, categories = [], {}, {}, {}
    for group, (purpose, brands, products) in GROUPS.items():
        groups[group] = []
        for brand in brands:
            for noun, cats in products:
                sku = f"SKU-{1001 + len(rows)}"
                adjective = ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]
                name = f"{brand} {noun}"
                description = f"A {adjective} {noun.lower()} for {purpose}. Made by {brand}."
                price = round(float(rng.uniform(5, 200)), 2)
                rows.append({"sku": sku, "name": name, "category": cats, "description": description, "brand": brand,
                             "price": f"{price:.2f}"})
                groups[group].append(sku)
                names[sku] = name
                categories[sku] = tuple(cats.split("|"))
    import csv

    with (folder / "products.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    skus = [r["sku"] for r in rows]
    group_names = list(groups)
    start = np.datetime64("2024-01-01T00:00:00")
    with (folder / "orders.jsonl").open("w", encoding="utf-8") as f:
        for c in range(customers):
            own = groups[group_names[c % len(group_names)]]
            # a few favourites per group are bought by most of its customers: a popularity curve inside the group
            weights = 1.0 / np.arange(1, len(own) + 1) ** 0.5
            bought = list(rng.choice(own, size=int(rng.integers(6, 13)), replace=False, p=weights / weights.sum()))
            bought.append(skus[int(rng.integers(len(skus)))])  # one purchase outside the group: noise
            for n, sku in enumerate(bought):
                when = start + np.timedelta64(int(c * 3600 + n * 60), "s")
                f.write(json.dumps({"customer": f"C{c:04d}", "sku": sku, "stars": int(rng.integers(3, 6)),
                                    "time": str(when)}) + "\n")

    words = "\n".join(f'{name} = "{text}"' for name, text in CATEGORY_WORDS.items())
    synonyms = "\n".join(f'"{word}" = "{name}"' for word, name in CATEGORY_SYNONYMS.items())
    spec = folder / "catalog.toml"
    spec.write_text(SPEC + f"\n[category_words]\n{words}\n\n[category_synonyms]\n{synonyms}\n", encoding="utf-8")
    return Shop(folder, spec, groups, names, categories)
