"""Tabular inlines whose inputs carry their column's name.

Django's tabular inline names a column only in the table header, so a screen
reader meets unnamed inputs (WCAG 2.0 1.3.1, 4.1.2; axe-core "label",
"select-name"). Every admin inline of the project uses this one.
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet


class LabelledInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "" if index is None else f" {index + 1}"
        for field in form.fields.values():
            # A foreign key's select sits inside the admin's related-object wrapper.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", f"{field.label}{row}")


class LabelledTabularInline(admin.TabularInline):
    formset = LabelledInlineFormSet
