"""Many sessions in one process: page renders in parallel threads, as `streamlit run` serves them.

Measures, on one warehouse, (1) the cold render of each page alone and (2) N sessions rendering
at once (CIO on Culture trends, leads on Coaching, analysts on My feedback, caches cleared first),
in two modes of the embedded DuckDB file:

- ``release``: after every page run the engine lets go of the file (what app.py did, so that a
  command-line import could take its turn);
- ``keep``: the app never lets go (the lower bound: no import could get in);
- ``turns``: what app.py does now (`data_access.file_turns.page_run`): the file stays open while
  any session runs and is let go when the app is idle or a command-line run asks for its turn.

    python -m bench.sessions --tier 100k --sessions 1,10 --modes release,keep,turns
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import threading
import time

from bench import pages, warehouses
from data_access import file_turns
from data_access.engine import RETRIED, release_embedded_file

ROLES = ("cio", "lead", "analyst")


def _people(url: str, n: int) -> list[tuple[pages.PageSpec, object]]:
    """n (page, viewer) pairs cycling CIO / lead / analyst, each lead and analyst a different person."""
    import sqlalchemy as sa

    from components import auth
    from data_access.engine import get_engine
    from data_access.users import find_user

    with get_engine(url).connect() as conn:
        by_role = {role: conn.execute(sa.text(
            "SELECT u.username FROM app_users u JOIN user_roles r ON r.user_id = u.user_id "
            "WHERE r.role = :role ORDER BY u.user_id"), {"role": role}).scalars().all() for role in ROLES}
    spec = {s.role: s for s in pages.PAGES}
    chosen = []
    for i in range(n):
        role = ROLES[i % 3]
        names = by_role[role]
        chosen.append((spec[role], auth.viewer_for(find_user(names[(i // 3) % len(names)], url=url))))
    return chosen


def _one(spec, viewer, url: str, mode: str) -> tuple[float, str]:
    at = pages.new_session(spec, viewer)
    started = time.perf_counter()
    try:
        with file_turns.page_run(url) if mode == "turns" else contextlib.nullcontext():
            at.run()
        problem = pages._problems(at)
    except Exception as exc:  # noqa: BLE001 (a session that fails is counted, not fatal)
        problem = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        if mode == "release":
            release_embedded_file(url)  # what app.py's _run did after every page run
    return time.perf_counter() - started, problem


def at_once(url: str, n: int, mode: str, timeout: float = 600) -> dict:
    """N cold sessions started together: p50/p95/max seconds, errors, CPU seconds of the process."""
    people = _people(url, n)
    pages.clear_caches()
    results: list[tuple[float, str]] = []
    barrier = threading.Barrier(n)

    def session(spec, viewer):
        barrier.wait()
        results.append(_one(spec, viewer, url, mode))

    retried_before = sum(RETRIED.values())
    cpu = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=session, args=p, daemon=True) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, started + timeout - time.perf_counter()))
    seconds = sorted(r[0] for r in results)
    errors = [r[1] for r in results if r[1]]
    hung = sum(t.is_alive() for t in threads)
    return {"sessions": n, "mode": mode, "finished": len(results), "hung": hung,
            "p50": statistics.median(seconds) if seconds else None,
            "p95": seconds[min(len(seconds) - 1, int(round(0.95 * (len(seconds) - 1))))] if seconds else None,
            "max": seconds[-1] if seconds else None, "errors": len(errors), "error_samples": errors[:3],
            "retried": sum(RETRIED.values()) - retried_before,
            "wall": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="100k", choices=sorted(warehouses.TIERS))
    parser.add_argument("--sessions", default="1,10", help="comma-separated N (default 1,10)")
    parser.add_argument("--modes", default="release,keep,turns")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per N and mode (default 3)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    url = warehouses.file_warehouse(args.tier, "duckdb").url
    rows = []
    with pages.pinned_env(url):
        for n in (int(x) for x in args.sessions.split(",")):
            for _ in range(args.repeat):
                for mode in args.modes.split(","):  # interleaved: both modes meet the same load
                    row = dict(at_once(url, n, mode), tier=args.tier)
                    rows.append(row)
                    print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}),
                          flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
