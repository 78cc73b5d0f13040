"""The calendar of a demo store: the days it covers, in UTC epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

DAY = 86_400
HOUR = 3_600
MINUTE = 60
# Marks "never happened" in int64 time arrays (every real time is positive).
NEVER = np.int64(-1)
# Referral program launch after the start: late enough that a customer base exists to refer.
REFERRAL_GO_LIVE_DAYS = 120


@dataclass(frozen=True)
class Period:
    """Days `start`..`end` (both included); files exist for these days only."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.n_days < 30:
            raise ValueError(f"the period {self.start}..{self.end} must span at least 30 days")

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def t0(self) -> int:
        """Midnight UTC at the start, in epoch seconds."""
        return int(
            datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp()
        )

    @property
    def t_end(self) -> int:
        """Midnight UTC after the last day: nothing at or after it is written."""
        return self.t0 + self.n_days * DAY

    @property
    def go_live(self) -> int:
        """When the referral program starts issuing codes (a third in for short periods)."""
        return self.t0 + min(REFERRAL_GO_LIVE_DAYS, self.n_days // 3) * DAY

    @property
    def go_live_date(self) -> date:
        return self.start + timedelta(days=(self.go_live - self.t0) // DAY)

    def day_index(self, times: np.ndarray) -> np.ndarray:
        """0-based day of each epoch-second time."""
        return ((times - self.t0) // DAY).astype(np.int32)

    def day_names(self) -> list[str]:
        """ISO date of every day, for file names."""
        return [(self.start + timedelta(days=i)).isoformat() for i in range(self.n_days)]

    def month_first_days(self) -> np.ndarray:
        """Day index of the first day of every calendar month in the period (and the start)."""
        days = [0]
        current = self.start.replace(day=1)
        while True:
            current = (current + timedelta(days=32)).replace(day=1)
            if current > self.end:
                break
            days.append((current - self.start).days)
        return np.array(days, dtype=np.int32)

    def day_fraction(self) -> np.ndarray:
        """Position of each day in the period, 0 at the start to 1 at the end."""
        return np.arange(self.n_days) / max(self.n_days - 1, 1)

    def calendar(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Month (1-12), day of month and weekday (0 = Monday) of every day."""
        days = np.arange(self.n_days).astype("timedelta64[D]") + np.datetime64(self.start, "D")
        months = days.astype("datetime64[M]")
        month = (months.astype(np.int64) % 12 + 1).astype(np.int8)
        day_of_month = (days - months).astype(np.int64) + 1
        # 1970-01-01 was a Thursday (weekday 3)
        weekday = (days.astype(np.int64) + 3) % 7
        return month, day_of_month, weekday


def seconds_between(rng: np.random.Generator, low: float, high: float, size: int) -> np.ndarray:
    """Uniform whole-second durations in [low, high)."""
    return rng.integers(int(low), int(high), size=size, dtype=np.int64)
