"""Drive Swagger UI in headless Chromium as a newcomer would: read the demo accounts on the page,
Authorize with the password flow as the demo customer (a dialog without client fields), call
GET /api/v1/users/me, then buy with the page's own controls and prefilled values: PUT a cart
line (the example SKU), POST /checkout (the example body and the generated Idempotency-Key),
and see 201. Exits non-zero, saying why, if any step fails.

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
        chrome = subprocess.Popen(
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
    check_the_page(page)
    page.js(set_input("#oauth_username", EMAIL))
    page.js(set_input("#oauth_password", PASSWORD))
    page.js(click(".auth-btn-wrapper .btn.modal-btn.auth.authorize"))
    page.wait_for(
        "[...document.querySelectorAll('.auth-container')]"
        ".some(e => e.innerText.includes('Logout'))",
        "Authorize did not log in",
    )
    page.js(click(".btn-done"))
    status, body = execute(page, "#operations-users-read_me_api_v1_users_me_get")
    if status != "200" or EMAIL not in body:
        raise SystemExit(f"swagger check failed: GET /users/me answered {status!r}")
    print("swagger check: Authorize + GET /api/v1/users/me from Swagger UI: 200")

    cart = "#operations-cart-set_line_api_v1_cart_lines__sku__put"
    status, body = execute(page, cart, expect={'tr[data-param-name="sku"] input': "MUG-BLUE-350"})
    if status != "200" or "MUG-BLUE-350" not in body:
        raise SystemExit(f"swagger check failed: PUT /cart/lines answered {status!r}: {body}")
    checkout = "#operations-orders-check_out_api_v1_checkout_post"
    key = 'tr[data-param-name="Idempotency-Key"]'
    status, body = execute(
        page, checkout, expect={f"{key} input": ""}, required=[f"{key} .parameter__name.required"]
    )
    if screenshot:
        data = page.call("Page.captureScreenshot", format="png")["data"]
        with open(screenshot, "wb") as out:
            out.write(base64.b64decode(data))
    if status != "201" or '"string"' in body:
        raise SystemExit(f"swagger check failed: POST /checkout answered {status!r}: {body}")
    print("swagger check: PUT /cart/lines/MUG-BLUE-350 + POST /checkout from Swagger UI: 201")


def check_the_page(page: Page) -> None:
    """The demo accounts are on the page; the password flow asks only for username and password
    (the X-API-Key scheme beside it is for integrations)."""
    page.wait_for(
        f"document.body.innerText.includes({json.dumps(EMAIL)})", "no demo accounts on the page"
    )
    page.wait_for(click(".btn.authorize"), "no Authorize button")
    page.wait_for("!!document.querySelector('#oauth_username')", "no password-flow form")
    shown = page.js(
        "[...document.querySelector('#oauth_username').closest('.auth-container')"
        ".querySelectorAll('input, select')].filter(e => e.checkVisibility()).map(e => e.id)"
    )
    if sorted(shown) != ["oauth_password", "oauth_username"]:
        raise SystemExit(f"swagger check failed: the Authorize dialog shows {shown}")


def execute(
    page: Page, op: str, expect: dict[str, str] | None = None, required: list[str] | None = None
) -> tuple[str, str]:
    """Open an operation, Try it out with its prefilled values, Execute: (status, body).
    `expect` maps an input's selector to its prefilled value ("" for any non-empty one);
    each selector in `required` must be on the form (a parameter marked required)."""
    page.wait_for(click(f"{op} .opblock-summary-control"), f"{op} not found")
    page.wait_for(click(f"{op} .try-out__btn"), f"{op}: no Try it out button")
    for selector in required or []:
        page.wait_for(
            f"!!document.querySelector({json.dumps(f'{op} {selector}')})",
            f"{op}: {selector} is not on the form",
        )
    for selector, value in (expect or {}).items():
        found = page.wait_for(
            f"(document.querySelector({json.dumps(f'{op} {selector}')}) || {{}}).value",
            f"{op}: {selector} is not prefilled",
        )
        if value and found != value:
            raise SystemExit(f"swagger check failed: {op} {selector} holds {found!r}")
    body = page.js(f"(document.querySelector('{op} textarea.body-param__text') || {{}}).value")
    if body and '"string"' in body:
        raise SystemExit(f"swagger check failed: {op} prefills a placeholder: {body}")
    page.wait_for(click(f"{op} .execute"), f"{op}: no Execute button")
    cell = f"{op} .live-responses-table tbody .response-col_status"
    status = page.wait_for(
        f"(document.querySelector('{cell}') || {{}}).innerText", f"{op}: no response"
    )
    answer = page.js(f"document.querySelector('{op} .live-responses-table').innerText")
    return str(status).strip(), str(answer)


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2] if len(sys.argv) > 2 else None)
