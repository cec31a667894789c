"""What keeps a run's memory flat as its input grows: the default store keeps fingerprints out
of memory; and the scaling benchmark's blocks are new stories with the base block's shape."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections import Counter
from pathlib import Path

from benchmarks import scaling
from cleanfeed.config import DedupConfig
from cleanfeed.dedup import Deduplicator


def test_the_default_store_holds_fingerprints_on_disk_not_in_memory() -> None:
    dedup = Deduplicator(DedupConfig())
    size, first = 0, None
    gc.collect()
    tracemalloc.start()
    try:
        for batch in scaling.synthetic_batches(3000, 1000, seed=5):
            size += sum(len(f.shingles) + len(f.shingle_lines) + len(f.signature) for f in batch)
            first = first or batch[0]
            dedup.add_fingerprints(batch, resolve=False)
        del batch
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # decisions, components and the LSH index stay in memory (~2 KB a document); the
    # fingerprints' bytes do not (an in-memory store holds them all: ~1.8x their size here)
    assert held < size, (held, size)
    assert first is not None
    assert dedup.store.fingerprints([first.doc_id])[first.doc_id] == first
    assert dedup.store.text_hashes([first.doc_id]) == {first.doc_id: first.text_hash}
    result = dedup.resolve()
    assert {d.status for d in result.decisions} | {d.status for d in result.changed} <= {
        "kept", "duplicate"}
    dedup.store.close()


def test_synthetic_site_chrome_glues_components_but_splits_no_cluster() -> None:
    """The dedup-alone pages carry their site's chrome as an extractor leaves it in: it links
    most pages into one component, and, common on its sites, is discounted: the clusters are
    those of the same pages without it (the canonical of a cluster may differ: the policy
    prefers the copy with the least of its site's common text left in)."""
    def decide(chrome: int) -> tuple[set[frozenset[str]], int]:
        dedup = Deduplicator(DedupConfig())
        for batch in scaling.synthetic_batches(1500, 500, seed=3, chrome=chrome, sites=30):
            dedup.add_fingerprints(batch, resolve=False)
        dedup.resolve()
        clusters: dict[str, set[str]] = {}
        for d in dedup.decisions():
            clusters.setdefault(d.canonical_id or d.doc_id, set()).add(d.doc_id)
        largest = max(Counter(dedup.store.components(
            [m for c in clusters.values() for m in c]).values()).values())
        dedup.store.close()
        return {frozenset(c) for c in clusters.values()}, largest

    bare, apart = decide(0)
    glued, together = decide(2)
    assert glued == bare and len(bare) < 1500  # some stories have copies
    assert apart < 25 and together > 750  # stories apart; with chrome, most pages in one


def test_a_block_enciphers_text_but_keeps_markup_entities_and_shape() -> None:
    table = scaling.cipher(3, seed=1)
    page = '<p class="lead">Seoul &amp; Pyongyang resumed talks, officials said.</p>'
    out = scaling._html(page, table)
    assert out.startswith('<p class="lead">') and out.endswith("</p>") and "&amp;" in out
    assert out != page and len(out) == len(page)
    # one word, one substitute: copies within a block stay copies
    assert scaling._text("talks talks", table).split()[0] == scaling._text("talks", table)
    assert scaling._html(page, scaling.cipher(0, seed=1)) == page
    assert scaling._url("https://www.example.com/a", 3) == "https://b3-www.example.com/a"


def test_a_block_enciphers_letters_of_every_script() -> None:
    # a story in Chinese or Korean must be a new text in every block too (else its copies in
    # all blocks make one component that grows with the input)
    text = "新竹尖石 美樹營地 악녀의 덫에 Москва Жизнь café 2019"
    one = scaling._text(text, scaling.cipher(1, seed=1))
    two = scaling._text(text, scaling.cipher(2, seed=1))
    assert len(one) == len(text)
    assert all(a != b for a, b in zip(text.split()[:6], one.split()[:6], strict=True))
    assert not set(text.split()[:6]) & set(one.split()[:6])
    assert not set(one.split()[:6]) & set(two.split()[:6])
    assert all(c.isalpha() for w in one.split()[:-1] for c in w)
    assert one.split()[4][0].isupper() and one.split()[5][1:].islower()


def test_results_of_separate_invocations_are_merged(tmp_path: Path) -> None:
    path = tmp_path / "scaling.json"
    first = scaling.merged(path, [{"pages": 50000, "x": 1}, {"pages": 10000, "x": 1}], [], 5000)
    path.write_text(json.dumps(first))
    again = scaling.merged(path, [{"pages": 10000, "x": 2}],
                           [{"fingerprints": 10, "store": "memory"}], 5000)
    assert [(r["pages"], r["x"]) for r in again["runs"]] == [(10000, 2), (50000, 1)]
    assert len(again["dedup"]) == 1
    assert scaling.merged(path, [], [], 1000)["runs"] == []  # another block size: not merged


def test_a_block_enciphers_digits_of_every_script() -> None:
    # a story's tables of figures must be new in every block too: left alone, the 5-grams of
    # numbers of a housing-prices table linked its copies in every block into one component
    text = "1 2019 35 4 7 ٢٠١٩ 2019"
    one = scaling._text(text, scaling.cipher(1, seed=1))
    two = scaling._text(text, scaling.cipher(2, seed=1))
    assert len(one) == len(text) and one.split()[1] == one.split()[-1]
    assert all(c.isdecimal() for w in one.split() for c in w)
    assert all(a != b for a, b in zip(text.split(), one.split(), strict=True))
    assert all(a != b for a, b in zip(one.split(), two.split(), strict=True))
    arabic = one.split()[5]
    assert all("\u0660" <= c <= "\u0669" for c in arabic) and arabic != "٢٠١٩"
