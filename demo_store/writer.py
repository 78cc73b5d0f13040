"""Daily landing files: consecutive lines of one day go to `<source>_<YYYY-MM-DD>.<ext>`."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

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


class DailyFiles:
    """Appends lines sorted by day to one file per day; a day's lines may arrive in pieces.

    Files are written by one background thread, so disk time overlaps the rendering of the
    next piece (file calls release the GIL); one thread keeps the writes in order. Days
    without lines get no file (an empty file would be rejected by the ingestion).
    """

    def __init__(self, folder: Path, file_names: list[str], header: str | None) -> None:
        self._folder = folder
        self._file_names = file_names
        self._header = (header + "\n").encode() if header is not None else b""
        self._day = -1
        self._handle: BinaryIO | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-store-writer")
        self._pending: Future[None] | None = None
        self.files = 0
        self.bytes = 0

    def write(self, days: np.ndarray, lines: pa.ChunkedArray) -> None:
        """Queue `lines` (one per entry of `days`, sorted by day, after earlier calls' days).

        Waits for the previous call's lines first, so at most two pieces are held in memory.
        """
        self._wait()
        self._pending = self._thread.submit(self._write, days, lines)

    def close(self) -> None:
        """Finish queued writes (raising their errors) and close the last file."""
        try:
            self._wait()
        finally:
            self._thread.shutdown(wait=True)
            self._close_file()

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _write(self, days: np.ndarray, lines: pa.ChunkedArray) -> None:
        position = 0
        for piece in lines.chunks:
            offsets, data = _text_buffer(piece)
            piece_days = days[position : position + len(piece)]
            position += len(piece)
            present = np.unique(piece_days)
            starts = np.searchsorted(piece_days, present, side="left")
            ends = np.searchsorted(piece_days, present, side="right")
            for day, start, end in zip(
                present.tolist(), starts.tolist(), ends.tolist(), strict=True
            ):
                handle = self._handle if day == self._day else self._open(day)
                assert handle is not None
                handle.write(data[offsets[start] : offsets[end]])
                self.bytes += int(offsets[end] - offsets[start])

    def _open(self, day: int) -> BinaryIO:
        self._close_file()
        self._day = day
        self._handle = (self._folder / self._file_names[day]).open("wb")
        self._handle.write(self._header)
        self.files += 1
        self.bytes += len(self._header)
        return self._handle

    def _close_file(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
