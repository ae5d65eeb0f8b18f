"""A real OpenID Provider for the tests: ``tests/oidc/server.js`` (the certified Node.js
``oidc-provider`` package, its version pinned in package.json and package-lock.json).

``run_provider(redirect_uris)`` installs it when ``tests/oidc/node_modules`` is missing
(``npm ci``), starts it on a free 127.0.0.1 port, waits until discovery answers, and stops it.
``sign_in_at_provider`` walks its development sign-in and consent pages with plain HTTP (the
login typed in is the account's e-mail address; ``unverified:`` before it: not verified).
Without node and npm the tests that need it are skipped (they fail when ``CI`` is set).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx2
import pytest
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
NAMES = ("any", "org")  # the provider names the tests configure (redirect URIs are exact)
CLIENT_ID = "survey-test"
CLIENT_SECRET = "survey-test-secret-" + os.urandom(8).hex()


@dataclass(frozen=True)
class TestProvider:
    issuer: str
    client_id: str
    client_secret: str
    log: Path

    def settings(self, name: str, **extra: object) -> dict[str, object]:
        """One entry of SURVEY_OIDC_PROVIDERS for this provider."""
        return {
            "name": name,
            "label": "Testkommunens konto",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            **extra,
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the OpenID Connect tests must run)", pytrace=False)
    pytest.skip(reason)


def install() -> None:
    """``npm ci`` once, when node_modules is missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _unavailable("node and npm are needed for the test OpenID provider (tests/oidc)")
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    done = subprocess.run(
        ["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        _unavailable(f"npm ci in tests/oidc failed: {done.stderr.strip()[-500:]}")


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    url = issuer + "/.well-known/openid-configuration"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the test OpenID provider stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test OpenID provider did not answer {url} in 30 s")
        time.sleep(0.05)


@contextmanager
def run_provider(redirect_uris: list[str], log: Path) -> Iterator[TestProvider]:
    install()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": json.dumps(redirect_uris),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["node", str(HERE / "server.js")], cwd=HERE, env=env, stdout=output, stderr=output
        )
        try:
            _wait_for_discovery(issuer, process, log)
            yield TestProvider(issuer, CLIENT_ID, CLIENT_SECRET, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def sign_in_at_provider(authorization_url: str, login: str, back_to: str) -> str:
    """Walk the provider's sign-in and consent pages from the authorization URL; returns the URL
    it sends the browser back to (starting with ``back_to``: the app's callback with code and
    state)."""
    with httpx2.Client(timeout=10) as http:
        url = authorization_url
        response = http.get(url)
        for _ in range(12):
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["location"])
                if url.startswith(back_to):
                    return url
                response = http.get(url)
                continue
            assert response.status_code == 200, (response.status_code, response.text[:500])
            form = BeautifulSoup(response.text, "html.parser").find("form")
            assert form is not None, response.text[:500]
            data = {
                str(field["name"]): str(field.get("value", ""))
                for field in form.find_all("input")
                if field.get("name")
            }
            if "login" in data:
                data.update(login=login, password="any password")
            url = urljoin(url, str(form["action"]))
            response = http.post(url, data=data)
        raise AssertionError(f"the provider never sent the browser back to {back_to}")
