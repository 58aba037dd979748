"""The rendered reports in a real browser: headless Chromium (Debian's /usr/bin/chromium), driven
through the DevTools protocol over ``--remote-debugging-pipe`` with the standard library only
(JSON messages separated by NUL bytes on file descriptors 3 and 4; no websocket, no extra
package). For ``index.html`` and each report of a small batch: no console error or uncaught
exception, every image decoded (``naturalWidth > 0``), the Vietnamese title with its diacritics,
every link of the index resolving to a file. A screenshot of the scorecard is saved under
``reports/test-artifacts/``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from dxlib import paths
from dxlib.batch import run_batch

CHROMIUM = os.environ.get("DX_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebooks,
    pytest.mark.skipif(
        not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)),
        reason=f"headless Chromium not found at {CHROMIUM} (apt-get install chromium, or set DX_CHROMIUM)",
    ),
]

ARTIFACTS = paths.ROOT / "reports" / "test-artifacts"


class Browser:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # Chromium reads commands on fd 3, writes replies on fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1280,1600",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, pass_fds=(3, 4, to_chrome_r, from_chrome_w),  # 3, 4: kept after dup2
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read(self, timeout: float) -> dict:
        import select

        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the debugging pipe")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read(max(0.01, deadline - time.monotonic())))

    def open(self, url: str) -> tuple[str, str]:
        """A new tab on ``url``, loaded; ``(target_id, session_id)``."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        return target, session

    def evaluate(self, expression: str, session: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=session,
        )
        return result["result"].get("value")

    def errors(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen by this tab."""
        found = []
        for ev in self.events:
            if ev.get("sessionId") != session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a)) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append("log: " + params["entry"].get("text", ""))
        return found

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - it may close the pipe before answering
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass


PAGE_FACTS = """(async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return {
    title: document.title,
    text: document.body.innerText,
    images: imgs.map(i => ({src: i.src.slice(0, 40), w: i.naturalWidth, complete: i.complete})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
    charset: document.characterSet,
  };
})()"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    manifest = {
        "defaults": {"kernel": "python3", "timeout": 300},
        "reports": [
            {"notebook": "05_plan_scorecard", "grid": {"lang": ["vi", "en"]}},
            {"notebook": "01_data_inventory", "set": {"lang": "vi"}},
        ],
    }
    m = tmp / "batch.yaml"
    m.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_batch(m, tmp / "out", jobs=3, progress=False)
    assert result.ok, result.summary_text
    return result, tmp / "out"


@pytest.fixture(scope="module")
def browser():
    profile = Path(tempfile.mkdtemp(prefix="dx-chromium-"))
    b = Browser(profile)
    try:
        b.send("Browser.getVersion", timeout=60)
        yield b
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


def test_index_and_reports_in_chromium(batch, browser) -> None:
    result, out = batch
    pages = ["index.html"] + [r["outputs"]["html"] for r in result.runs]
    facts = {}
    for page in pages:
        target, session = browser.open((out / page).resolve().as_uri())
        facts[page] = browser.evaluate(PAGE_FACTS, session)
        assert browser.errors(session) == [], page
        if page == "05_plan_scorecard__lang-vi.html":
            shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                session=session, timeout=60)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            png = ARTIFACTS / "05_plan_scorecard__lang-vi.png"
            png.write_bytes(base64.b64decode(shot["data"]))
            # the PNG signature; 10 kB: a floor set by the author against an empty screenshot
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
            print(f"\nscreenshot of the scorecard: {png}")
        browser.send("Target.closeTarget", {"targetId": target})
    for page, f in facts.items():
        assert f["charset"] == "UTF-8", page
        for img in f["images"]:
            assert img["complete"] and img["w"] > 0, (page, img)
    vi, en = facts["05_plan_scorecard__lang-vi.html"], facts["05_plan_scorecard__lang-en.html"]
    assert "Kết quả thực hiện" in vi["title"] and "Kết quả thực hiện" in vi["text"]  # diacritics intact
    assert "Nghệ An" in vi["text"]
    assert "Scorecard" in en["title"] or "scorecard" in en["title"].lower()
    assert len(vi["images"]) >= 1 and len(facts["01_data_inventory__lang-vi.html"]["images"]) >= 1
    # every link of the index resolves to a file of the batch
    links = [h for h in facts["index.html"]["links"] if not h.startswith("#")]
    reports = sorted(r["outputs"]["html"] for r in result.runs)
    assert sorted(h for h in links if h.endswith(".html")) == reports
    for href in links:
        assert not href.startswith(("http:", "https:", "/")), href
        assert (out / href).is_file(), href
