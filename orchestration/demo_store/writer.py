"""Daily landing files: consecutive lines of one day go to `<source>_<YYYY-MM-DD>.<ext>`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa


def _text_buffer(lines: pa.Array) -> tuple[np.ndarray, memoryview]:
    """Offsets and the bytes of all lines, which Arrow stores back to back."""
    if pa.types.is_string_view(lines.type):
        lines = lines.cast(pa.large_string())
    offset_type = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    _, offsets_buffer, data_buffer = lines.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    data = memoryview(data_buffer) if data_buffer is not None else memoryview(b"")
    return offsets, data


def write_days(
    folder: Path,
    file_names: list[str],
    header: str | None,
    days: np.ndarray,
    lines: pa.Array,
) -> tuple[int, int]:
    """Write `lines` (sorted by `days`) to one file per day, named `file_names[day]`.

    Days without lines get no file (an empty file would be rejected by the ingestion).
    Returns the number of files and of bytes written.
    """
    offsets, data = _text_buffer(lines)
    present = np.unique(days)
    starts = np.searchsorted(days, present, side="left")
    ends = np.searchsorted(days, present, side="right")
    head = (header + "\n").encode() if header is not None else b""
    written = 0
    for day, start, end in zip(present.tolist(), starts.tolist(), ends.tolist(), strict=True):
        with (folder / file_names[day]).open("wb") as handle:
            handle.write(head)
            handle.write(data[offsets[start] : offsets[end]])
        written += len(head) + int(offsets[end] - offsets[start])
    return len(present), written
