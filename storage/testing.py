"""A throw-away SeaweedFS S3 server for tests and benchmarks (not for production).

``weed mini`` runs master, volume, filer and S3 gateway in one process. Every
port is chosen free on 127.0.0.1 and every listener is bound to loopback (the
defaults pick an external interface and 0.0.0.0).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

from minio import Minio

from storage.errors import StorageError
from storage.s3_client import http_client

_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)
#: weed's maintenance worker dials the admin port + 10000, whatever the flags say.
_GRPC_OFFSET = 10000


def find_weed() -> str | None:
    """Path of the ``weed`` binary: on PATH or next to the Python interpreter."""
    beside = os.path.join(os.path.dirname(sys.executable), "weed")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("weed")


def free_port_pair(offset: int = _GRPC_OFFSET) -> int:
    """A free port ``p`` on 127.0.0.1 such that ``p + offset`` is free too."""
    for _ in range(100):
        port = free_ports(1)[0]
        if port + offset > 65535:
            port -= offset
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise StorageError("no free pair of ports on 127.0.0.1")


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 right now."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


class SeaweedServer:
    """Start/stop one ``weed mini`` with S3 credentials enforced."""

    def __init__(
        self,
        data_dir: str,
        *,
        access_key: str = "docflow-test",
        secret_key: str | None = None,
        weed: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.access_key = access_key
        self.secret_key = secret_key or secrets.token_hex(16)
        self.weed = weed or find_weed()
        self.process: subprocess.Popen[bytes] | None = None
        self.endpoint = ""
        #: Every port the running server listens on (all on 127.0.0.1).
        self.ports: list[int] = []

    def start(self, timeout: float = 30.0, attempts: int = 3) -> None:
        """Start the server and wait until its S3 API answers."""
        if not self.weed:
            raise StorageError("SeaweedFS binary 'weed' not found")
        for attempt in range(attempts):
            self._spawn()
            if self._wait_ready(timeout):
                return
            self.stop()  # most likely a port taken between probing and binding
            if attempt == attempts - 1:
                raise StorageError(f"SeaweedFS did not start; see {self.log_path}")

    @property
    def log_path(self) -> str:
        return os.path.join(self.data_dir, "weed.log")

    def _spawn(self) -> None:
        os.makedirs(os.path.join(self.data_dir, "data"), exist_ok=True)
        config = os.path.join(self.data_dir, "s3.json")
        with open(config, "w", encoding="utf-8") as f:
            json.dump(self._credentials(), f)
        ports = dict(zip(_PORT_FLAGS, free_ports(len(_PORT_FLAGS)), strict=True))
        ports["admin.port"] = free_port_pair()
        ports["admin.port.grpc"] = ports["admin.port"] + _GRPC_OFFSET
        self.ports = list(ports.values())
        self.endpoint = f"127.0.0.1:{ports['s3.port']}"
        args = [
            self.weed,
            "mini",
            f"-dir={os.path.join(self.data_dir, 'data')}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            # The volume count limit defaults to free disk / 1 GiB, which is
            # small on CI machines, and every bucket takes its own volume.
            "-volume.max=300",
            "-volume.preStopSeconds=0",  # no grace period before stopping
            *(f"-{flag}={port}" for flag, port in ports.items()),
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argument list
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a terminal Ctrl+C goes to pytest only
            )

    def _credentials(self) -> dict:
        return {
            "identities": [
                {
                    "name": "docflow",
                    "credentials": [
                        {"accessKey": self.access_key, "secretKey": self.secret_key}
                    ],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }

    def client(self, *, timeout: float = 60.0) -> Minio:
        """A raw minio client for this server (tests, benchmarks)."""
        return Minio(
            self.endpoint,
            self.access_key,
            self.secret_key,
            secure=False,
            http_client=http_client(min(timeout, 3.0), timeout, retries=0),
        )

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        host, port = self.endpoint.split(":")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection((host, int(port)), timeout=0.5):
                    pass
                self.client(timeout=2.0).list_buckets()
                return True
            except Exception:  # noqa: BLE001 - any failure means "not yet"
                time.sleep(0.1)
        return False

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit within ``timeout``.

        The volume server's graceful stop sometimes waits for internal keep-alive
        connections for 15 s or more; the data is throw-away, so do not wait.
        """
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        """Unix sockets weed leaves in /tmp (always after a kill), named by port.

        Their folder is fixed (/tmp) except for filer and S3; keeping those at
        their default too avoids the 108-byte socket path limit in deep temp dirs.
        """
        for port in self.ports:
            for path in glob.glob(f"/tmp/seaweedfs-*-{port}.sock"):  # noqa: S108
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def __enter__(self) -> SeaweedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
