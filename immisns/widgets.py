"""Form widgets written in one step: the same markup as Django's, without a template per option.

Django's select renders each option through its own template include. A
filter with the 21 accounts and a dozen states draws some forty of them on
every page of the post list: about 7 % of that page's function calls.
"""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html writes them: a True value as a bare name, a False one left out."""
    parts = (
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )
    return mark_safe("".join(parts))  # each part escaped by format_html


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)  # groups: Django's templates, as they are rare
        options = "".join(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n', option["value"], _attrs(option["attrs"]), option["label"]
            )
            for _name, choices, _index in widget["optgroups"]
            for option in choices
        )
        return mark_safe(
            format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"])) + options + "\n</select>"
        )
