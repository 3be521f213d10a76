"""The admin's change lists: each row's selection checkbox written in one step.

Django renders that checkbox through the form widget templates, once per
row; on the membership list (rows of three short columns) that was more than
a quarter of the page's function calls. The markup is Django's own, byte for
byte, so the admin's JavaScript (select all, the action bar) works as before.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class QuickCheckboxAdmin(admin.ModelAdmin):
    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
