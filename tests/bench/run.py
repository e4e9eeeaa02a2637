"""litbrowse benchmark: ingest, store open, per-keystroke search (vs fzf), memory, app start.

    python -m tests.bench.run                 # 1,000 / 10,000 / 100,000 papers
    python -m tests.bench.run --sizes 10000 --json
    python -m tests.bench.run --sizes 100000 --ingest-runs 5
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.generate import generate

# Queries typed one character at a time; some with typos, swapped or missing words.
QUERIES = [
    "kernel ridge regression", "kernal ridge regresion", "perciever", "diffusion model robust",
    "robust diffusion model", "low-rank matrix approximation", "lowrank matrx aproximation",
    "self-supervised distillation", "graph atention network", "bayesian variational inference",
    "federated privacy", "ge", "contrastive representation learning",
]
# The results the app's search screen asks for at each keystroke (RESULT_LIMIT in
# tui/screens/search.py, which would import Textual here; a test holds the two equal):
# each keystroke, and whether a title comes first, is timed and judged as the app has it.
APP_RESULTS = 200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_size(papers: int, work: Path, ingest_runs: int = 3) -> dict:
    pages = work / f"pages_{papers}"
    store = work / f"store_{papers}.json"
    titles = generate(pages, papers)
    ingest_runs_s = timed_ingests(pages, store, ingest_runs)
    ingest_s = statistics.median(ingest_runs_s)
    # The largest child so far: sizes run smallest first, so this is this size's ingests (or a worker of them).
    ingest_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    from store.disk.persistence import load, open_details
    from store.search.ranking import SearchIndex

    # As the app does: the main file and papers, the details file opened (an abstract
    # is read when its paper is shown), the index of titles, then the abstracts streamed
    # into the index.
    started = time.perf_counter()
    data = load(store, with_details=False)
    open_s = time.perf_counter() - started
    started = time.perf_counter()
    open_details(store, data)
    abstracts_s = time.perf_counter() - started
    started = time.perf_counter()
    index = SearchIndex(data.papers, with_abstracts=False, abstract_of=data.abstract_of)
    title_index_s = time.perf_counter() - started
    started = time.perf_counter()
    index.add_abstracts(data.details.abstracts() if data.details else None)
    abstract_index_s = time.perf_counter() - started

    latencies = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            index.search(query[:end], limit=APP_RESULTS)
            latencies.append((time.perf_counter() - started) * 1000)

    found_first = found_first_rates(index, data.papers)

    row = {
        "papers": papers, "ingest_s": ingest_s, "ingest_runs_s": ingest_runs_s,
        "ingest_papers_per_s": papers / ingest_s,
        "ingest_peak_rss_mb": ingest_rss_mb,
        "store_open_s": open_s, "title_index_s": title_index_s,
        "abstracts_opened_s": abstracts_s, "abstract_index_s": abstract_index_s,
        "keystrokes": len(latencies), "search_median_ms": statistics.median(latencies),
        "search_p95_ms": percentile(latencies, 0.95),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "found_first": found_first,
    }
    row.update(fzf_latency(titles, work))
    if row.get("fzf_median_ms"):
        row["fzf_over_litbrowse_median"] = row["fzf_median_ms"] / row["search_median_ms"]
    row["app_ready_s"], row["app_papers_shown_s"], row["app_indexed_s"], row["app_peak_rss_mb"] = app_ready(store)
    # Started again: the index the first start kept is read instead of built (store/search/kept_index.py).
    _, _, row["app_kept_indexed_s"], kept_rss_mb = app_ready(store)
    row["app_peak_rss_mb"] = max(row["app_peak_rss_mb"], kept_rss_mb)
    row["add_page_s"], row["add_page_peak_rss_mb"] = add_one_page(store, work / f"new_page_{papers}")
    return row


def timed_ingests(pages: Path, store: Path, runs: int) -> list[float]:
    """Seconds of each of `runs` runs of `litbrowse ingest` of the pages into a new store
    (the last run's store is the one measured next). This machine's speed drifts by up
    to a quarter from one run to the next: the median of a few says more than one."""
    seconds = []
    for _ in range(runs):
        for old in store.parent.glob(store.name + "*"):
            old.unlink()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tui", "--store", str(store), "ingest", str(pages)],
                       check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - started)
    return seconds


# Half-remembered titles: how a person might type a title they once read, each made
# from the title's words (its closing number, which makes every title unique, left out).
RECALLS = {
    "first four words": lambda words, rng: words[:4],
    "two typos": lambda words, rng: [typo(w, rng) if i in (1, 2) and len(w) >= 5 else w
                                     for i, w in enumerate(words[:5])],
    "a word missing": lambda words, rng: words[:2] + words[3:6],
    "typos and a word missing": lambda words, rng: [typo(w, rng) if len(w) >= 5 else w
                                                   for w in words[:2]] + words[3:6],
    "three middle words": lambda words, rng: words[2:5],
    "words in another order": lambda words, rng: rng.sample(words[:5], len(words[:5])),
}


def typo(word: str, rng: random.Random) -> str:
    """The word with one letter changed, dropped, added, or swapped with the one before it
    (the first letter with the second)."""
    at, letter = rng.randrange(len(word)), rng.choice(string.ascii_lowercase)
    return rng.choice([word[:at] + letter + word[at + 1:], word[:at] + word[at + 1:],
                       word[:at] + letter + word[at:], word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]
                       if at else word[1] + word[0] + word[2:]])


def found_first_rates(index, papers: list[dict], sample: int = 300) -> dict[str, float]:
    """For each way of recalling a title, the share of 300 sampled papers that the app's
    search puts first. Synthetic titles draw on a small vocabulary, so some share even the words
    recalled (most three-word phrases, at 100,000 papers): the intended paper cannot then
    always come first."""
    rng = random.Random(7)
    chosen = rng.sample([p for p in papers if p.get("title")], min(sample, len(papers)))
    rates = {}
    for name, recall in RECALLS.items():
        hits = 0
        for paper in chosen:
            words = paper["title"].split()[:-1]
            results = index.search(" ".join(recall(words, rng)), limit=APP_RESULTS)
            hits += bool(results) and results[0].paper["id"] == paper["id"]
        rates[name] = hits / len(chosen)
    return rates


def own_peak_rss_mb() -> float:
    """This process's peak RSS since it started its program (VmHWM). Not ru_maxrss: Linux
    carries that over from the parent, so a child of the benchmark would report at least
    the benchmark's own peak (the search index of 100,000 papers)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_one_page(store: Path, folder: Path, papers: int = 100) -> tuple[float, float]:
    """Seconds and peak RSS (MB, of the ingest process; its helpers share its pages) to
    ingest one more page of new papers into the store: what a user does each time they
    save a page. Timed inside the child process."""
    generate(folder, papers, seed=2)
    page = (folder / "page_00000.txt").rename(folder / "new_page.txt")  # a page the store has not seen
    code = (
        "import sys, time; t = time.perf_counter()\n"
        "from tui.cli import main\n"
        "code = main(['--store', sys.argv[1], 'ingest', sys.argv[2]])\n"
        "seconds = time.perf_counter() - t\n"
        "from tests.bench.run import own_peak_rss_mb\n"
        "print(seconds, own_peak_rss_mb(), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(store), str(page)], capture_output=True, text=True,
                         check=True)
    seconds, rss = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(rss)


def fzf_latency(titles: list[str], work: Path) -> dict:
    if not shutil.which("fzf"):
        return {"fzf_median_ms": None, "fzf_p95_ms": None}
    source = work / "titles.txt"
    source.write_text("\n".join(titles))
    latencies = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            with open(source, "rb") as handle:
                subprocess.run(["fzf", "--filter", query[:end]], stdin=handle, stdout=subprocess.DEVNULL)
            latencies.append((time.perf_counter() - started) * 1000)
    return {"fzf_median_ms": statistics.median(latencies), "fzf_p95_ms": percentile(latencies, 0.95)}


def app_ready(store: Path) -> tuple[float, float, float, float]:
    """Seconds from the app's first import to its first screen ready for keys (the authors
    listed), to the first author's papers listed, and to the search index holding the
    abstracts too (headless); and the app's peak RSS in MB once it has, and has kept the
    index for the next start. A large store shows its authors before its papers; a small
    one both at once.

    Timed inside the child process, so interpreter start-up and shutdown are not counted.
    The project's modules are compiled to bytecode first, as `pip install` leaves an
    installed litbrowse (an environment with PYTHONDONTWRITEBYTECODE would otherwise
    compile them from source at every start, 70 ms more).
    """
    import compileall

    root = Path(__file__).resolve().parents[2]
    for package in ("store", "tui"):
        compileall.compile_dir(root / package, quiet=1)
    code = (
        "import time, asyncio, sys; t = time.perf_counter()\n"
        "from pathlib import Path\nfrom tui.app import LitbrowseApp\n"
        "async def main():\n"
        "    app = LitbrowseApp(Path(sys.argv[1]), watch_store=False)\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        screen = app.main_screen\n"
        "        while not screen.query_one('#authors').count:\n"
        "            await asyncio.sleep(0.005)\n"
        "        authors = time.perf_counter() - t\n"
        "        while not screen.query_one('#papers').count:\n"
        "            await asyncio.sleep(0.005)\n"
        "        papers = time.perf_counter() - t\n"
        "        while not (app.search_index and app.search_index.has_abstracts):\n"
        "            await asyncio.sleep(0.02)\n"
        "        indexed = time.perf_counter() - t\n"
        "        while any(worker.group == 'load' and not worker.is_finished for worker in app.workers):\n"
        "            await asyncio.sleep(0.02)  # the index kept for the next start (store/search/kept_index.py)\n"
        "        from tests.bench.run import own_peak_rss_mb\n"
        "        rss = own_peak_rss_mb()\n"
        "        print(authors, papers, indexed, rss)\n"
        "        app.exit()\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    authors, papers, indexed, rss = out.stdout.strip().splitlines()[-1].split()
    return float(authors), float(papers), float(indexed), float(rss)


def main() -> None:
    from store.collector import adopt_policy

    adopt_policy()  # as the command line and the app do
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--ingest-runs", type=int, default=3, metavar="N",
                        help="ingests of each size, into a new store each time; the median is reported (default 3)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.ingest_runs < 1:
        parser.error("--ingest-runs needs at least 1")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            rows.append(bench_size(size, Path(work), args.ingest_runs))
            if not args.json:
                print(format_row(rows[-1]), flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))


def format_row(row: dict) -> str:
    fzf = f"{row['fzf_median_ms']:.1f}" if row.get("fzf_median_ms") else "n/a"
    ratio = f"{row['fzf_over_litbrowse_median']:.0f}x" if row.get("fzf_over_litbrowse_median") else "n/a"
    runs = ", ".join(f"{seconds:.2f}" for seconds in row["ingest_runs_s"])
    return (f"{row['papers']:>7} papers | ingest {row['ingest_papers_per_s']:,.0f}/s (median of {runs} s)"
            f" | open {row['store_open_s']:.2f}s"
            f" | abstracts opened {row['abstracts_opened_s']:.2f}s | title index {row['title_index_s']:.2f}s,"
            f" then abstracts {row['abstract_index_s']:.2f}s"
            f" | search median {row['search_median_ms']:.2f}ms p95 {row['search_p95_ms']:.2f}ms"
            f" | fzf median {fzf}ms ({ratio}) | app ready {row['app_ready_s']:.2f}s"
            f" (papers shown {row['app_papers_shown_s']:.2f}s, all indexed {row['app_indexed_s']:.1f}s,"
            f" started again {row['app_kept_indexed_s']:.1f}s)"
            f" | peak RSS: search {row['peak_rss_mb']:.0f}MB, app {row['app_peak_rss_mb']:.0f}MB,"
            f" ingest {row['ingest_peak_rss_mb']:.0f}MB"
            f" | add a page of 100: {row['add_page_s']:.2f}s, {row['add_page_peak_rss_mb']:.0f}MB"
            f" | found first: " + ", ".join(f"{name} {rate:.0%}" for name, rate in row["found_first"].items()))


if __name__ == "__main__":
    main()
