"""A real Dovecot IMAP server per test, on a free port, with its own config and Maildir."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    username: str
    password: str
    maildir: Path  # where an MTA would deliver: write to tmp/, rename into new/
    mail_uid: int
    mail_gid: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _users() -> dict[str, str]:
    """Dovecot refuses to run its login and mail processes as root; as root the Debian
    package's system users are used, otherwise everything runs as the current user."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return {"login": me, "internal": me, "mail": me}
    return {"login": "dovenull", "internal": "dovecot", "mail": "nobody"}


def _config(base: Path, port: int, users: dict[str, str]) -> str:
    mail_user = pwd.getpwnam(users["mail"])
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {users["internal"]}
default_login_user = {users["login"]}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={base}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = {min(mail_user.pw_uid, 500)}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    text = log.read_text() if log.exists() else "(no log)"
    raise RuntimeError(f"dovecot did not start:\n{text}")


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # Not pytest's tmp_path: it is private to the test runner's user (0700), and the mail
    # process (nobody, under root) must reach its Maildir.
    base = Path(tempfile.mkdtemp(prefix="supportdesk-dovecot-"))
    base.chmod(0o755)
    users = _users()
    for sub in ("run", "state", "home"):
        (base / sub).mkdir()
    mail_user = pwd.getpwnam(users["mail"])
    os.chown(base / "home", mail_user.pw_uid, mail_user.pw_gid)
    (base / "passwd").write_text("desk:{PLAIN}imap-secret::::::\n")
    port = _free_port()
    (base / "dovecot.conf").write_text(_config(base, port, users))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(base / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, base / "dovecot.log")
        yield Dovecot(
            "127.0.0.1",
            port,
            "desk",
            "imap-secret",
            maildir=base / "home" / "desk" / "Maildir",
            mail_uid=mail_user.pw_uid,
            mail_gid=mail_user.pw_gid,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fixture_bytes() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in FIXTURES.glob("*.eml")}
