"""Dirty rows: extra lines, each a copy of a clean record that is repeated or broken.

Dirty lines are added, never swapped in, so every clean record still arrives exactly once
and a pipeline that sets the dirty lines aside loads exactly the clean store.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

DUPLICATE = "duplicate_line"
LATER_FILE_SHARE = 0.4  # of duplicates, repeated in one of the next 7 daily files
LATER_FILE_MAX_DAYS = 7


def add_dirty_rows(
    records: pa.Table, kinds: tuple[str, ...], rate: float, last_day: int, rng: np.random.Generator
) -> tuple[pa.Table, dict[str, int]]:
    """`records` plus round(rate x rows) dirty copies spread evenly over `kinds`.

    Adds `_dirty` (0 for clean rows, else the 1-based position of the kind in `kinds`) and
    `_variant` (a coin flip some kinds use); a copy follows its original in the same file, or
    comes first in a later file. Returns the rows sorted by file day and the count per kind.
    """
    n = records.num_rows
    n_dirty = round(rate * n) if n else 0
    picked = np.sort(rng.choice(n, size=n_dirty, replace=False)) if n_dirty else np.zeros(0, int)
    # the picks are random, so giving kinds out in turn spreads them at random too
    kind = (rng.permutation(n_dirty) % len(kinds) + 1).astype(np.int8)
    day = records["_day"].to_numpy()[picked]
    later = (kind == kinds.index(DUPLICATE) + 1) & (rng.random(n_dirty) < LATER_FILE_SHARE)
    shifted = np.minimum(day + rng.integers(1, LATER_FILE_MAX_DAYS + 1, n_dirty), last_day)
    day = np.where(later, shifted, day).astype(np.int32)

    position = np.concatenate([np.arange(n), picked])
    dirty = np.concatenate([np.zeros(n, dtype=np.int8), kind])
    days = np.concatenate([records["_day"].to_numpy(), day])
    order = np.lexsort((dirty, position, days))
    table = pa.concat_tables([records, records.take(picked)]).take(order)
    table = table.set_column(table.schema.get_field_index("_day"), "_day", pa.array(days[order]))
    variant = np.concatenate(
        [np.zeros(n, dtype=np.int8), rng.integers(0, 2, n_dirty).astype(np.int8)]
    )
    table = table.append_column("_dirty", pa.array(dirty[order]))
    table = table.append_column("_variant", pa.array(variant[order]))
    counts = np.bincount(kind, minlength=len(kinds) + 1)[1:]
    return table, {name: int(count) for name, count in zip(kinds, counts, strict=True)}
