"""immisns.widgets: the quick select writes exactly what Django's select template writes."""

import pytest
from django import forms

from immisns.widgets import QuickSelect

CHOICES = [("", "Any <state>"), ("draft", "Draft & more"), (3, "三")]


@pytest.mark.parametrize("value", ["", "draft", "3", None, "not-a-choice"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_state", "required": True, "disabled": False, "aria-label": 'a"b'}])
def test_the_quick_select_is_djangos_markup(value, attrs):
    assert QuickSelect(choices=CHOICES).render("state", value, attrs) == forms.Select(choices=CHOICES).render(
        "state", value, attrs
    )


def test_option_groups_are_left_to_djangos_templates():
    grouped = [("Group <1>", [("a", "A")]), ("b", "B")]
    assert QuickSelect(choices=grouped).render("x", "a") == forms.Select(choices=grouped).render("x", "a")
