"""A private Mosquitto for tests and benchmarks: free port, bakeprint's broker
settings (deploy/mosquitto.conf), persistence in its own directory, so it can
be stopped and restarted without touching the machine's broker."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
SETTINGS = Path(__file__).resolve().parents[3] / "deploy" / "mosquitto.conf"
FALLBACK = """max_inflight_messages 1000
max_queued_messages 1000000
max_queued_bytes 0
persistence true
allow_anonymous true
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_up(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class Broker:
    def __init__(self) -> None:
        self.port = free_port()
        # mosquitto started as root drops to its own user: its persistence
        # directory must be reachable and writable for that user
        tmp = Path(tempfile.mkdtemp(prefix="bp-mosquitto-"))
        tmp.chmod(0o777)
        self.tmp = tmp
        self.conf = tmp / "mosquitto.conf"
        base = SETTINGS.read_text() if SETTINGS.exists() else FALLBACK
        self.conf.write_text(
            base
            + f"\nlistener {self.port} 127.0.0.1\n"
            + f"persistence_location {tmp}/\nlog_dest file {tmp}/mosquitto.log\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if not Path(MOSQUITTO).exists():
            raise RuntimeError("mosquitto is not installed (apt install mosquitto)")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)])
        for _ in range(100):
            if is_up(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # saves its persistence file
            self.proc.wait(10)
            self.proc = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
