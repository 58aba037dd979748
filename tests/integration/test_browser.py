"""Every report of the default batch (params/batch.yaml), each in Vietnamese and English, and
``index.html`` in both languages, in a real browser: headless Chromium (``command -v chromium``,
or ``DX_CHROMIUM``), one browser and one tab per page, driven through the DevTools protocol
over ``--remote-debugging-pipe`` with the standard library only (JSON messages separated by NUL
bytes on file descriptors 3 and 4; no websocket, no extra package).

Per page: no console error or uncaught exception, no element reaching past the page's width,
every image decoded (``naturalWidth > 0``), UTF-8 with the Vietnamese diacritics intact (no
replacement character, no mojibake; the Vietnamese pages' titles carry Vietnamese letters), the
run details in the report's language. A full-page screenshot of each is kept under
``reports/test-artifacts/`` (git-ignored). ``DX_BROWSER_REPORTS=DIR`` checks the reports
already in DIR (e.g. after ``make reports``) instead of running the batch.
"""

from __future__ import annotations

import base64
import json
import os
import re
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

CHROMIUM = os.environ.get("DX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebooks,
    pytest.mark.skipif(
        not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)),
        reason=f"headless Chromium not found at {CHROMIUM} (apt-get install chromium, or set DX_CHROMIUM)",
    ),
]

ARTIFACTS = paths.ROOT / "reports" / "test-artifacts"
#: the browser window, a common laptop width; a page must fit it without sideways scrolling
WIDTH, HEIGHT = 1280, 1600
#: longest full-page screenshot (pixels); longer pages are cut there
MAX_SHOT = 20000
#: letters only Vietnamese uses (with a diacritic), and what UTF-8 read as Latin-1 looks like
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
MOJIBAKE = re.compile("\ufffd|Ã[\x80-\xbf]|á»|Ä[\x80-\xbf]|Æ°")


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
                f"--user-data-dir={profile}", "--remote-debugging-pipe", f"--window-size={WIDTH},{HEIGHT}",
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
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 1 || r.left < -1)) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  const visible = Array.from(document.querySelectorAll('[lang]')).filter(e => e.offsetParent !== null);
  return {
    title: document.title,
    lang: document.documentElement.lang,
    text: document.body.innerText,
    images: imgs.map(i => ({src: i.src.slice(0, 40), w: i.naturalWidth, complete: i.complete})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
    charset: document.characterSet,
    scroll_width: document.documentElement.scrollWidth,
    width: width,
    wide: wide.slice(0, 10),
    height: Math.ceil(document.documentElement.scrollHeight),
  };
})()"""


def both_languages() -> dict:
    """params/batch.yaml with every report in Vietnamese and English (``lang`` moved from
    ``set`` to ``grid``), on the ``python3`` kernel of the test run."""
    manifest = yaml.safe_load((paths.ROOT / "params" / "batch.yaml").read_text(encoding="utf-8"))
    manifest["defaults"]["kernel"] = "python3"
    for entry in manifest["reports"]:
        (entry.get("set") or {}).pop("lang", None)
        if not entry.get("set"):
            entry.pop("set", None)
        entry["grid"] = {**(entry.get("grid") or {}), "lang": ["vi", "en"]}
    return manifest


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[list[dict], Path]:
    given = os.environ.get("DX_BROWSER_REPORTS")
    if given:
        out = Path(given)
        runs = json.loads((out / "run.json").read_text(encoding="utf-8"))["runs"]
        return runs, out
    tmp = tmp_path_factory.mktemp("browser")
    m = tmp / "batch.yaml"
    m.write_text(yaml.safe_dump(both_languages(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_batch(m, tmp / "out", jobs=2, progress=False)
    assert result.ok, result.summary_text
    return result.runs, tmp / "out"


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


def visit(browser: Browser, url: str, shot: str) -> dict:
    """Open ``url`` in a new tab, read :data:`PAGE_FACTS` and the tab's errors, save a
    full-page screenshot as ``ARTIFACTS/<shot>.png``, close the tab."""
    target, session = browser.open(url)
    try:
        facts = browser.evaluate(PAGE_FACTS, session)
        facts["errors"] = browser.errors(session)
        height = min(facts["height"], MAX_SHOT)
        png = browser.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
        }, session=session, timeout=120)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{shot}.png").write_bytes(base64.b64decode(png["data"]))
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
    return facts


def test_every_report_in_both_languages(batch, browser) -> None:
    runs, out = batch
    problems = []
    langs = set()
    for run in runs:
        assert run["status"] == "ok", (run["slug"], run["error"])
        lang = run["parameters"].get("lang", "vi")
        langs.add(lang)
        f = visit(browser, (out / run["outputs"]["html"]).resolve().as_uri(), run["slug"])
        where = run["slug"]
        if f["errors"]:
            problems.append(f"{where}: browser errors {f['errors']}")
        if f["scroll_width"] > f["width"] or f["wide"]:
            problems.append(f"{where}: wider than the page ({f['scroll_width']} > {f['width']}): {f['wide']}")
        for img in f["images"]:
            if not (img["complete"] and img["w"] > 0):
                problems.append(f"{where}: image not decoded {img}")
        if f["charset"] != "UTF-8" or MOJIBAKE.search(f["text"] + f["title"]):
            problems.append(f"{where}: text not intact UTF-8 ({f['charset']}): "
                            f"{MOJIBAKE.search(f['text'] + f['title'])}")
        if f["lang"] != lang:
            problems.append(f"{where}: <html lang={f['lang']!r}>, expected {lang!r}")
        details = {"vi": "Thông tin lần chạy", "en": "Run details"}
        other = "en" if lang == "vi" else "vi"
        if details[lang] not in f["text"] or details[other] in f["text"]:
            problems.append(f"{where}: run details not in the report's language")
        if lang == "vi" and not VIETNAMESE.search(f["title"]):
            problems.append(f"{where}: Vietnamese title without Vietnamese letters: {f['title']!r}")
    assert langs == {"vi", "en"}
    assert problems == [], "\n".join(problems)


def test_index_in_both_languages(batch, browser) -> None:
    runs, out = batch
    index = (out / "index.html").resolve().as_uri()
    seen = {}
    for lang, fragment, heading in (("vi", "", "Bắt đầu từ đây"), ("en", "#en", "Start here")):
        f = visit(browser, index + fragment, f"index.{lang}")
        seen[lang] = f
        assert f["errors"] == [] and f["charset"] == "UTF-8", lang
        assert f["scroll_width"] <= f["width"] and f["wide"] == [], (lang, f["wide"])
        assert heading in f["text"], lang
        assert "Kế hoạch 833" in seen[lang]["text"] or "Plan 833" in seen[lang]["text"]
        assert "__lang-" not in f["text"], lang  # slugs are folded away
    assert "Start here" not in seen["vi"]["text"] and "Bắt đầu từ đây" not in seen["en"]["text"]
    # every link of the index resolves to a file of the batch, and every report is linked
    links = {h for h in seen["vi"]["links"] if not h.startswith("#")}
    assert {h for h in links if h.endswith(".html")} == {r["outputs"]["html"] for r in runs}
    for href in links:
        assert not href.startswith(("http:", "https:", "/")), href
        assert (out / href).is_file(), href
