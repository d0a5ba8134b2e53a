"""Swagger UI and ReDoc served from the `fastapi-offline` package's assets: no CDN, no internet.
Swagger UI is set up so that a newcomer can buy from it (ADR 0017): each page load fills the
Idempotency-Key with a fresh value, and the Authorize dialog asks only for what the password
flow needs (the client id and secret fields are hidden: Agora has no OAuth2 clients)."""

import json
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi import docs as fastapi_docs
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.dependencies import IDEMPOTENCY_HEADER

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
OPENAPI_URL = "/openapi.json"

# The password flow's form also offers client credentials, where to send them, and a note on
# scopes (Agora declares none): all hidden, leaving username and password.
HIDE_CLIENT_FIELDS = """
.auth-container .wrapper:has(> section > input[id^="client_id"]),
.auth-container .wrapper:has(> section > input[id^="client_secret"]),
.auth-container .wrapper:has(> section > select[id^="password_type"]),
.auth-container .scope-def { display: none; }
"""

# The document's example key is the same for everyone; the page sends a fresh one per load, so
# the first checkout from the page is never a replay of someone else's. A retry from the same
# page reuses it, which is what the header is for.
START_SWAGGER_UI = """
const freshKey = () => (window.crypto && crypto.randomUUID)
  ? crypto.randomUUID()
  : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
fetch(%(openapi_url)s).then((answer) => answer.json()).then((spec) => {
  for (const item of Object.values(spec.paths)) {
    for (const operation of Object.values(item)) {
      for (const parameter of operation.parameters || []) {
        if (parameter.in === "header" && parameter.name === %(key_header)s) {
          parameter.example = freshKey();
        }
      }
    }
  }
  window.ui = SwaggerUIBundle({
    spec: spec,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    oauth2RedirectUrl: window.location.origin + %(redirect_url)s,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
"""

SWAGGER_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="%(assets)s/swagger-ui.css">
<link rel="shortcut icon" href="%(assets)s/favicon.png">
<title>%(title)s</title>
<style>%(style)s</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="%(assets)s/swagger-ui-bundle.js"></script>
<script>%(script)s</script>
</body>
</html>
"""


def swagger_page(title: str) -> str:
    script = START_SWAGGER_UI % {
        "openapi_url": json.dumps(OPENAPI_URL),
        "key_header": json.dumps(IDEMPOTENCY_HEADER),
        "redirect_url": json.dumps(OAUTH2_REDIRECT_URL),
    }
    return SWAGGER_PAGE % {
        "assets": ASSETS_URL,
        "title": title,
        "style": HIDE_CLIENT_FIELDS,
        "script": script,
    }


def install_docs(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_page(f"{app.title} - Swagger UI"))

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return fastapi_docs.get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return fastapi_docs.get_redoc_html(
            openapi_url=OPENAPI_URL,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
