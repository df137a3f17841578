"""What `/readyz` says of a process that dispatches: ready while the dispatcher ticks, not
ready once it stopped ticking (a stalled scheduler sends nothing), ready again after."""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.health import LATE_FLOOR_SECONDS, Heartbeat, ReadinessCheck


@dataclass
class Monotonic:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_readiness_fails_while_the_dispatcher_has_not_ticked(db_url: str) -> None:
    clock = Monotonic()
    heartbeat = Heartbeat(interval=1.0, clock=clock)
    check = ReadinessCheck(db_url, heartbeat)
    try:
        assert (await check()).as_json() == {"ready": True, "reason": "ok"}
        clock.now += LATE_FLOOR_SECONDS - 1  # a few ticks late on a loaded host: still ready
        assert (await check()).ready
        clock.now += 3
        late = await check()
        assert late.as_json() == {"ready": False, "reason": "dispatcher: no tick for 12 s"}
        heartbeat.beat()
        assert (await check()).ready
    finally:
        await check.close()
