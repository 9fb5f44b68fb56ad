"""A git host on loopback, for `pulumi package add <host>/<org>/<repo>.git/package@<tag>`.

The CLI takes a git reference only as `https` on port 443 of a host name with a dot, so:
a certificate authority and a server certificate made here with `openssl`, git's own smart
HTTP server (`git http-backend`) behind a TLS listener on 127.0.0.1:443, and a mount
namespace (`unshare -m`) in which `/etc/hosts` names the host. Nothing outside the test's
folder changes: the machine's `/etc/hosts` and trust store are left as they are.
"""

from __future__ import annotations

import http.server
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "git.langgraph.test"


class _GitHandler(http.server.BaseHTTPRequestHandler):
    root = ""

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {
            "GIT_PROJECT_ROOT": self.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "PATH": os.environ["PATH"],
        }
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, timeout=120
        )
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            key, _, value = line.partition(": ")
            if key.lower() == "status":
                status = int(value.split()[0])
            elif key:
                headers.append((key, value))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: object) -> None:
        return None


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@dataclass
class GitHost:
    """The repositories under `root`, served at https://HOST/; `ca` signs its certificate."""

    root: Path
    ca: Path
    hosts_file: Path

    def add_repo(self, source: Path, name: str, tag: str) -> None:
        """A bare clone of `source`'s HEAD at `name` (`org/repo.git`), tagged `tag`."""
        dest = self.root / name
        subprocess.run(["git", "clone", "-q", "--bare", str(source), str(dest)], check=True)
        subprocess.run(["git", "-C", str(dest), "tag", tag, "HEAD"], check=True)

    def command_prefix(self) -> list[str]:
        """Run a command with HOST resolving to loopback (a private mount namespace)."""
        script = f'mount --bind {self.hosts_file} /etc/hosts && exec "$@"'
        return ["unshare", "-m", "bash", "-c", script, "--"]

    def env(self) -> dict[str, str]:
        """Trust the test's certificate authority (Go reads SSL_CERT_FILE)."""
        return {"SSL_CERT_FILE": str(self.ca), "GIT_SSL_CAINFO": str(self.ca)}


@contextmanager
def git_host(work: Path) -> Iterator[GitHost]:
    """A running git host in `work`; stopped on exit."""
    work.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (work / n for n in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem"))
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out",
        str(ca), "-days", "1", "-subj", "/CN=langgraph test CA",
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", f"/CN={HOST}",
    )  # fmt: skip
    extensions = work / "san.cnf"
    extensions.write_text(f"subjectAltName=DNS:{HOST}\n")
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(cert), "-days", "1", "-extfile", str(extensions),
    )  # fmt: skip
    hosts = work / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n127.0.0.1 {HOST}\n")
    root = work / "repos"
    root.mkdir()
    handler = type("Handler", (_GitHandler,), {"root": str(root)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 443), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield GitHost(root, ca, hosts)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
