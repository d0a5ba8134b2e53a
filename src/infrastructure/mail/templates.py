"""Mail templates, filled in by Jinja2: each template is a subject, a text body and an HTML
body (`NAME.subject.txt`, `NAME.txt`, `NAME.html` in `templates/`). HTML is autoescaped, so a
customer's name or address can never become markup; text bodies and subjects are plain text,
where escaping would only garble them."""

from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from application.notifications.views import RenderedMail

TEMPLATES = Path(__file__).parent / "templates"


def money(value: dict[str, str]) -> str:
    """A Money as the log holds it (`{"amount": "12.50", "currency": "EUR"}`): `12.50 EUR`."""
    return f"{Decimal(value['amount'])} {value['currency']}"


class JinjaMailRenderer:
    """The MailRenderer port over the templates in this package; a template or field that is
    missing is an error, never an empty hole in a customer's mail."""

    def __init__(self, *, shop_name: str = "Agora", directory: Path = TEMPLATES) -> None:
        self._shop_name = shop_name
        self._env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined,
            auto_reload=False,
        )
        self._env.filters["money"] = money

    def render(self, template: str, context: dict[str, Any]) -> RenderedMail:
        values = {"shop_name": self._shop_name, **context}
        subject = self._env.get_template(f"{template}.subject.txt").render(values)
        return RenderedMail(
            subject=" ".join(subject.split()),  # one line, whatever the template did
            text=self._env.get_template(f"{template}.txt").render(values),
            html=self._env.get_template(f"{template}.html").render(values),
        )
