"""What keeps a run's memory flat as its input grows: the default store keeps fingerprints out
of memory; and the scaling benchmark's blocks are new stories with the base block's shape."""

from __future__ import annotations

import gc
import tracemalloc

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
