"""figures/index.html in a real headless Chromium: every image loads, every link resolves; a screenshot is kept.

Chromium is Debian's package (`make test` installs it when missing), driven over the DevTools protocol with
websocket-client; figures/ is served on loopback only. Links to outside hosts are checked for form, never fetched.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
import websocket

from mliter.paths import ROOT

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--window-size=1200,900"]

PROBE = """JSON.stringify({
  images: Array.from(document.images).map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.links).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  claims: Array.from(document.querySelectorAll('#original-claims + table tr td:first-child')).map(td => td.textContent)
})"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture()
def served():
    handler = functools.partial(_Quiet, directory=str(ROOT / "figures"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def browser(tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is not installed: `make test` installs Debian's package (apt-get install chromium)")
    profile = tmp_path / "profile"
    profile.mkdir()
    proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail(f"chromium did not open its DevTools port (exit {proc.poll()})")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        yield _Cdp(ws)
        ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class _Cdp:
    """Minimal DevTools-protocol session: send a command, wait for its answer or an event."""

    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg["result"]
            self.events.append(msg.get("method"))

    def wait_event(self, name: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while name not in self.events:
            assert time.monotonic() < deadline, f"no {name} within {timeout}s"
            self.events.append(json.loads(self.ws.recv()).get("method"))


def test_findings_page_in_chromium(served, browser, tmp_path):
    browser.call("Page.enable")
    browser.call("Page.navigate", url=served + "index.html")
    browser.wait_event("Page.loadEventFired")
    probe = json.loads(browser.call("Runtime.evaluate", expression=PROBE, returnByValue=True)["result"]["value"])

    manifest_images = [line.split("\t")[0] for line in (ROOT / "figures" / "MANIFEST.tsv").read_text().splitlines()
                       if line.endswith(".py") and line.split("\t")[0].endswith(".png")]
    assert {urlparse(i["src"]).path.lstrip("/") for i in probe["images"]} == {
        Path(p).name for p in manifest_images}, "every PNG of the manifest is on the page"
    broken = [i["src"] for i in probe["images"] if not i["ok"]]
    assert not broken, f"images that did not load: {broken}"

    bad = []
    for href in sorted(set(probe["links"])):
        url, fragment = urldefrag(href)
        if url.startswith(served):
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    ok = r.status == 200
            except OSError:
                ok = False
            if not ok or (fragment and fragment not in probe["ids"]):
                bad.append(href)
        elif not (urlparse(url).scheme == "https" and urlparse(url).netloc):
            bad.append(href)
    assert not bad, f"links that do not resolve: {bad}"
    assert {"survey", "openml", "pipelines", "automl"} <= set(probe["claims"])

    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    png = base64.b64decode(shot["data"])
    (tmp_path / "index.png").write_bytes(png)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
