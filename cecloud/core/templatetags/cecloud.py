from django import template

from cecloud.core import masking, text

register = template.Library()


register.filter("mask_id", masking.mask_id_number)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)


@register.filter
def hours(value):
    """4.0 -> 4, 0.50 -> 0.5."""
    return text.format_decimal(value)
