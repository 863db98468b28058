"""A throwaway PostgreSQL for the test suite, started from the installed server binaries."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bench.app_server import free_port


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: install the 'postgresql' package "
                           "(test.sh does) or set TEST_DATABASE_URL")
    return Path(candidates[-1]).parent


class ThrowawayPostgres:
    """initdb in a temp dir, serve on a free loopback port, remove everything on stop()."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="sp-pg-"))
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:  # the server refuses to run as root
            self.user = "postgres"
            try:
                pw = pwd.getpwnam(self.user)
            except KeyError as exc:
                raise RuntimeError("running as root needs the 'postgres' system user") from exc
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        data = self.dir / "data"
        self._run(self.bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off " \
               f"-c synchronous_commit=off -c full_page_writes=off"
        self._run(self.bin / "pg_ctl", "-D", data, "-o", opts, "-l", self.dir / "log", "-w", "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.2)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
