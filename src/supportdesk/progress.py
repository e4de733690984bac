"""A progress bar for commands that work through many items on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``importing  1200/15000 [====      ]  8%`` redrawn in place on a terminal.

    At most ten redraws a second; :meth:`close` ends the line. Use it only when the stream
    is a terminal: in a log, a bar is noise.
    """

    def __init__(self, stream: TextIO = sys.stderr, label: str = "importing", width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        bar = "=" * filled + " " * (self.width - filled)
        self.stream.write(f"\r{self.label} {done:>{len(str(total))}}/{total} [{bar}] {percent:3d}%")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
