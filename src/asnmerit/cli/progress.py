"""The progress line of ``asnmerit evaluate`` on a terminal: rows read, scored and refused."""

from __future__ import annotations

import math
import time
from typing import IO


class ProgressLine:
    """A line on a terminal, drawn at the first update (the first chunk of rows written),
    then redrawn at most every ``every`` seconds."""

    def __init__(self, out: IO[str], every: float = 0.5) -> None:
        self.out, self.every = out, every
        self.last = -math.inf
        self.shown = False

    def update(self, rows: int, scored: int, errors: int, share: float | None = None) -> None:
        """Redraw the line (with the ``share`` of the input read, when known) if ``every``
        seconds have passed since the last time."""
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last, self.shown = now, True
            done = "" if share is None else f" ({share:.0%})"
            self.out.write(f"\rrows: {rows}{done} scored: {scored} errors: {errors}")
            self.out.flush()

    def close(self) -> None:
        """Erase the line (if one was drawn)."""
        if self.shown:
            self.out.write("\r\033[K")
            self.out.flush()
