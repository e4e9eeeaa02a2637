"""Realistic synthetic scholarfeed author pages for the benchmark."""

from __future__ import annotations

import random
from pathlib import Path

VOCAB = (
    "learning deep neural network networks graph attention transformer transformers diffusion model models "
    "generative adversarial robust robustness optimization stochastic gradient descent kernel ridge regression "
    "bayesian inference variational autoencoder contrastive self-supervised representation representations "
    "reinforcement policy offline online federated privacy differential fairness causal discovery language "
    "large vision multimodal retrieval augmented generation sparse low-rank matrix approximation tensor "
    "distillation knowledge dataset pruning quantization efficient scalable adaptive meta few-shot zero-shot "
    "continual domain adaptation generalization out-of-distribution detection uncertainty calibration "
    "perceiver equivariant geometric manifold spectral clustering embedding embeddings benchmark analysis"
).split()
GLUE = "a an the of for with via on in under towards from and to".split()
FIRST = "Ada Alan Grace Kyungwoo Seungyeon Joonho Guy Yoram Samy Changdae Hoyoon Mingi Subeen Taero Li Wei Maria " \
        "Jose Anna Olga Ivan Priya Ravi Chen Yuki Hana Omar Lena Paul Sara Tom".split()
LAST = "Lovelace Turing Hopper Song Kim Ko Lebanon Singer Bengio Oh Byun Ji Park Lee Wang Zhang Garcia Silva " \
       "Petrova Ivanov Sharma Gupta Chen Tanaka Sato Haddad Novak Martin Rossi Weber".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
CATEGORIES = "LG CV CL AI ML IR RO SI".split()


def title(rng: random.Random) -> str:
    words = [rng.choice(VOCAB) for _ in range(rng.randint(5, 15))]
    for at in range(2, len(words), 4):
        words.insert(at, rng.choice(GLUE))
    return " ".join(words).capitalize()


def generate(folder: Path, papers: int, per_page: int = 500, seed: int = 1) -> list[str]:
    """Write pages holding `papers` papers in total; returns every title, in order."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = [(first, last) for first in FIRST for last in LAST]
    pool = [f"{first} {chr(65 + i % 26)}. {last}" for i, (first, last) in enumerate(names)]
    titles: list[str] = []
    for page_number in range(0, papers, per_page):
        count = min(per_page, papers - page_number)
        owner = rng.choice(pool)
        lines = [owner, "", f"h-index{rng.randint(1, 80)}", f"{count}papers", "", f"{count} Papers", ""]
        for _ in range(count):
            t = f"{title(rng)} {len(titles)}"  # unique, so every paper stays its own record
            titles.append(t)
            authors = rng.sample(pool, rng.randint(3, 10))
            if owner not in authors:
                authors[rng.randrange(len(authors))] = owner
            cut = len(authors) > 3 and rng.random() < 0.5
            author_line = ", ".join(authors[:3]) + " et al." if cut else ", ".join(authors)
            abstract = " ".join(rng.choice(VOCAB + GLUE) for _ in range(rng.randint(150, 250))).capitalize() + "."
            date = f"{rng.choice(CATEGORIES)}{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2005, 2025)}"
            lines += [date, t, "", author_line, "", abstract, "", ""]
        (folder / f"page_{page_number // per_page:05}.txt").write_text("\n".join(lines))
    return titles
