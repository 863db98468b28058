"""Several `streamlit run app.py` processes behind one sticky reverse proxy (HAProxy).

Streamlit keeps a person's session in the process that holds their websocket
(`/_stcore/stream`), so every request of one browser must reach the same process: HAProxy
inserts a cookie (`SP_NODE`) naming the process on the first response and routes on it from then
on; the websocket upgrade carries the same cookie. Each process has its own GIL, caches and
connection pool, so the warehouse must be one every process can open at once (PostgreSQL or
another server database; not the embedded DuckDB file, which one process holds at a time).

    python -m bench.proxy --url postgresql+psycopg://… --processes 2     # serve until Ctrl-C

The README's "Several processes" section shows the same configuration for a real server.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

from bench import app_server

STICKY_COOKIE = "SP_NODE"
NODE_HEADER = "X-Service-Pulse-Node"  # which process answered: for tests and for people debugging


def haproxy_binary() -> str | None:
    """Path of Debian's haproxy, or None when it is not installed."""
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


def haproxy_config(listen_port: int, backends: list[tuple[str, int]], *, address: str = "127.0.0.1") -> str:
    """An HAProxy configuration: round-robin for new browsers, a cookie keeps each one on its process.

    Websockets need no extra rule (HAProxy passes the upgrade through in HTTP mode); the long
    `timeout tunnel` keeps an idle open page connected.
    """
    servers = "\n".join(f"    server {name} {address}:{port} check cookie {name}" for name, port in backends)
    return f"""global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 8h
    option forwardfor

frontend service_pulse
    bind {address}:{listen_port}
    default_backend streamlit

backend streamlit
    balance roundrobin
    cookie {STICKY_COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-response set-header {NODE_HEADER} %[srv_name]
{servers}
"""


@contextlib.contextmanager
def run_haproxy(backends: list[tuple[str, int]], workdir: Path, *, timeout: float = 30) -> Iterator[str]:
    """HAProxy in the foreground in front of `backends` ((name, port) pairs); yields its base URL."""
    binary = haproxy_binary()
    if binary is None:
        raise RuntimeError("haproxy is not installed (Debian package 'haproxy'; test.sh installs it)")
    port = app_server.free_port()
    config_path = workdir / "haproxy.cfg"
    config_path.write_text(haproxy_config(port, backends))
    log_path = workdir / "haproxy.log"
    base_url = f"http://127.0.0.1:{port}"
    with app_server.running([binary, "-db", "-f", str(config_path)], log_path, base_url, timeout=timeout,
                            what="haproxy", stop_seconds=10):
        yield base_url


@contextlib.contextmanager
def serve_cluster(database_url: str, processes: int, workdir: Path, *, today: str,
                  timeout: float = 120, **extra_env: str) -> Iterator[tuple[str, list]]:
    """`processes` app processes on one warehouse behind HAProxy; yields (proxy URL, [(name, Popen)]).

    Every process gets the same sign-in cookie key (a cookie signed by one is valid at all of
    them, as a load balancer that loses a process needs) and its own data folder for its log.
    """
    key = extra_env.pop("SERVICE_PULSE_COOKIE_KEY", None) or secrets.token_urlsafe(48)
    with contextlib.ExitStack() as stack:
        served = []
        for i in range(1, processes + 1):
            folder = workdir / f"app{i}"
            folder.mkdir(parents=True, exist_ok=True)
            base, proc = stack.enter_context(app_server.serve_app(
                database_url, folder, today=today, timeout=timeout,
                SERVICE_PULSE_COOKIE_KEY=key, **extra_env))
            served.append((f"app{i}", int(base.rsplit(":", 1)[1]), proc))
        proxy_url = stack.enter_context(run_haproxy([(name, port) for name, port, _ in served], workdir))
        yield proxy_url, [(name, proc) for name, _, proc in served]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="warehouse URL every process opens (PostgreSQL)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--today", default="", help="pin SERVICE_PULSE_TODAY (YYYY-MM-DD; default the calendar date)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sp-cluster-") as tmp, \
            serve_cluster(args.url, args.processes, Path(tmp),
                          today=args.today or time.strftime("%Y-%m-%d")) as (proxy_url, _procs):
        print(f"{args.processes} processes behind {proxy_url} (Ctrl-C stops them)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
