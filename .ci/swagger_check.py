"""Drive Swagger UI in headless Chromium: Authorize with the password flow as the demo customer,
then call GET /api/v1/users/me from the page. Exits non-zero, saying why, if any step fails.

Usage: python .ci/swagger_check.py http://127.0.0.1:8000 [screenshot.png]
Uses the Chrome DevTools Protocol over the `websockets` package (installed with uvicorn)."""

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

from websockets.sync.client import connect

EMAIL, PASSWORD = "customer@agora.example.com", "agora-demo-2026"


class Page:
    def __init__(self, ws_url: str) -> None:
        self.ws = connect(ws_url, max_size=50_000_000).__enter__()
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return dict(message["result"])

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.2)
        raise SystemExit(f"swagger check failed: {what}")


def set_input(selector: str, value: str) -> str:
    # React tracks input values itself; set through the native setter and fire an input event.
    return f"""(() => {{
        const el = document.querySelector({json.dumps(selector)});
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        setter.call(el, {json.dumps(value)});
        el.dispatchEvent(new Event('input', {{bubbles: true}}));
        return true; }})()"""


def click(selector: str) -> str:
    return (
        f"(() => {{ const el = document.querySelector({json.dumps(selector)}); "
        "if (!el) return false; el.click(); return true; })()"
    )


def main(base_url: str, screenshot: str | None) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("swagger check failed: chromium is not installed")
    # Chromium's helper processes can outlive the main one for a moment and keep writing to
    # the profile; the whole process group is stopped, and leftovers never fail the check.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        chrome = subprocess.Popen(  # noqa: S603
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=9333",
                "--window-size=1280,1600",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            run(base_url, screenshot)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(chrome.pid, signal.SIGTERM)
            chrome.wait(timeout=10)


def run(base_url: str, screenshot: str | None) -> None:
    for _ in range(50):
        try:
            with urllib.request.urlopen("http://127.0.0.1:9333/json/list") as response:
                targets = [t for t in json.load(response) if t["type"] == "page"]
                if targets:
                    break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        raise SystemExit("swagger check failed: chromium did not start")
    page = Page(targets[0]["webSocketDebuggerUrl"])
    page.call("Page.enable")
    page.call("Page.navigate", url=f"{base_url}/docs")
    page.wait_for("document.querySelectorAll('.opblock').length > 5", "operations did not render")
    page.wait_for(click(".btn.authorize"), "no Authorize button")
    page.wait_for("!!document.querySelector('#oauth_username')", "no password-flow form")
    page.js(set_input("#oauth_username", EMAIL))
    page.js(set_input("#oauth_password", PASSWORD))
    page.js(click(".auth-btn-wrapper .btn.modal-btn.auth.authorize"))
    page.wait_for(
        "[...document.querySelectorAll('.auth-container')]"
        ".some(e => e.innerText.includes('Logout'))",
        "Authorize did not log in",
    )
    page.js(click(".btn-done"))
    op = "#operations-users-read_me_api_v1_users_me_get"
    page.wait_for(click(f"{op} .opblock-summary-control"), "GET /users/me not found")
    page.wait_for(click(f"{op} .try-out__btn"), "no Try it out button")
    page.wait_for(click(f"{op} .execute"), "no Execute button")
    cell = f"{op} .live-responses-table tbody .response-col_status"
    status = page.wait_for(
        f"(document.querySelector('{cell}') || {{}}).innerText",
        "no response to GET /users/me",
    )
    body = page.js(f"document.querySelector('{op} .live-responses-table').innerText")
    if screenshot:
        data = page.call("Page.captureScreenshot", format="png")["data"]
        with open(screenshot, "wb") as out:
            out.write(base64.b64decode(data))
    if str(status).strip() != "200" or EMAIL not in body:
        raise SystemExit(f"swagger check failed: GET /users/me answered {status!r}")
    print("swagger check: Authorize + GET /api/v1/users/me from Swagger UI: 200")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2] if len(sys.argv) > 2 else None)
