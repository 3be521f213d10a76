"""{% load post_history %}: system messages of a post's history, in the reader's language."""

from django import template

from posts import history

register = template.Library()


@register.filter
def event_message(event) -> str:
    return history.event_message(event)


@register.filter
def target_problem(target) -> str:
    return history.target_problem(target)


@register.filter
def target_held(target) -> str:
    return history.target_held(target)
