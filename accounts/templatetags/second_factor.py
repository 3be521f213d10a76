"""{% load second_factor %}: the way on after setting up the second factor."""

from django import template

from accounts import middleware

register = template.Library()


@register.simple_tag(takes_context=True)
def after_second_factor_set_up(context) -> str:
    request = context.get("request")
    return middleware.after_set_up(request) if request is not None else ""
