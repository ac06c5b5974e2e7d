from django import template

from cecloud.core import masking, text

register = template.Library()


@register.filter
def mask_id(value):
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value):
    return masking.mask_phone(value)


@register.filter
def mask_name(value):
    return masking.mask_name(value)


@register.filter
def hours(value):
    """4.0 -> 4, 0.50 -> 0.5."""
    return text.format_decimal(value)
