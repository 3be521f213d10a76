"""What every row of a long page repeats, written once per page and filled in per row.

A page of 50 replies or 126 calendar lines that renders the same form for
each row renders each of its `{% url %}`, `{% translate %}` and
`{% csrf_token %}` tags once a row: most of the page's time. Here the link
pattern is reversed once, and a form's template is rendered once for each
variant (the few things that change its shape), with a marker in place of
each row's values; each row's form is that text with its values put in.
"""

import re
from collections.abc import Callable, Mapping

from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# Numbers no row has, rendered in place of a row's values, then replaced by them. Numbers, so that
# `{% url name pk %}` accepts them; all of one width, so that no marker is the beginning of another.
_MARKER = 987654321000
_ROW_MARKER = re.compile(r"987654321\d\d\d")


def id_link(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` as a function of pk (for patterns whose one argument is the id)."""
    before, after = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{before}{int(pk)}{after}"


class RowTemplate:
    """A row's template rendered once per variant, then once per row only by putting the row's values in.

    `page` is what every row shares (the csrf_token, the next address); a row
    gives its `variant` (what the template tests with {% if %}) and its
    `values` (ids, times, texts: escaped here, or HTML prepared as
    SafeString). Every row of one page gives the same
    value names.
    """

    def __init__(self, template_name: str, page: Mapping[str, object]):
        self.template = get_template(template_name)
        self.page = page
        self.written: dict[tuple, str] = {}

    def __call__(self, variant: Mapping[str, object], values: Mapping[str, object]) -> SafeString:
        markers = {name: _MARKER + n for n, name in enumerate(values, start=1)}
        key = (tuple(variant.items()), tuple(markers))
        if key not in self.written:
            self.written[key] = self.template.render({**self.page, **variant, **markers})
        # One pass: a value put in (a post's text, say) is not searched again for markers.
        put_in = {str(marker): conditional_escape(str(values[name])) for name, marker in markers.items()}
        text = _ROW_MARKER.sub(lambda found: put_in.get(found[0], found[0]), self.written[key])
        return mark_safe(text)  # the template's own escaped text, with escaped values put in
