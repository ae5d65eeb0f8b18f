"""The load generator of ``bench/bench_autosave.py``: one asyncio process, many clients.

Reads the specification (clients, port, mode, seconds, warm-up) as JSON on stdin; every client
saves one item after another — waiting for each answer, sending back the ``synced`` moment the
last answer gave, as htmx does — and the timings of the saves after the warm-up and every
acknowledged save are printed as JSON.
"""

import asyncio
import json
import random
import re
import sys
import time
from datetime import UTC, datetime

import httpx2 as httpx

SYNCED = re.compile(r'id="synced" value="([^"]+)"')


async def run_load(spec):
    """Run the clients; ``spec``: clients, port, mode (app | minimal), seconds, warmup and,
    optionally, saves (each client stops after that many)."""
    clients, port, mode, seconds, warmup = (
        spec["clients"],
        spec["port"],
        spec["mode"],
        spec["seconds"],
        spec["warmup"],
    )
    most = spec.get("saves")
    think = spec.get("think") or 0.0  # mean pause between a client's saves (uniform 0.5-1.5x)
    limits = httpx.Limits(
        max_connections=len(clients) + 10, max_keepalive_connections=len(clients) + 10
    )
    timeout = httpx.Timeout(60.0)
    results = []
    acks = []
    start = time.perf_counter()
    stop_at = start + warmup + seconds
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=timeout
    ) as http:

        async def run(c):
            rng = random.Random(c["respondent"])
            # what the page's hidden input says: the moment of the last answer it got
            synced = datetime.now(UTC).isoformat()
            await asyncio.sleep(rng.random() * 0.5)
            done = 0
            while time.perf_counter() < stop_at and (most is None or done < most):
                done += 1
                item = rng.choice(c["items"])
                value = rng.randint(1, 4)
                t0 = time.perf_counter()
                try:
                    if mode == "app":
                        r = await http.post(
                            f"/assessments/{c['assessment']}/items/{item}",
                            data={
                                f"answer-{item}": str(value),
                                f"comment-{item}": "",
                                "synced": synced,
                            },
                            headers={
                                "HX-Request": "true",
                                "X-CSRF-Token": c["csrf"],
                                "Cookie": f"survey_session={c['token']}",
                            },
                        )
                    else:
                        r = await http.post(
                            f"/save/{c['respondent']}/{item}", data={"value": str(value)}
                        )
                    status = r.status_code
                    found = SYNCED.search(r.text) if mode == "app" else None
                    if found:
                        synced = found.group(1)
                except Exception as exc:
                    status = "error:" + type(exc).__name__
                t1 = time.perf_counter()
                if t0 >= start + warmup:
                    results.append((t0 - start, t1 - t0, status))
                if think:
                    await asyncio.sleep(think * (0.5 + rng.random()))
                # every attempt, in order: a save whose answer was lost (a killed server) may
                # still have been committed
                acks.append((c["respondent"], item, value, t1, status == 200))

        await asyncio.gather(*(run(c) for c in clients))
    return {"results": results, "acks": acks}  # acks: every attempt, with whether it was acked


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run_load(json.loads(sys.stdin.read())))))
