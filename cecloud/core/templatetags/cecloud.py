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


@register.filter
def pct_class(value):
    """A bar's width as a CSS class (w-pct-0 … w-pct-100 in cecloud.css): 37.6 -> "w-pct-38".

    The Content-Security-Policy forbids style="width: …" attributes; the value is clamped to 0–100."""
    try:
        number = round(float(value))
    except (TypeError, ValueError, OverflowError):
        number = 0
    return f"w-pct-{min(100, max(0, number))}"
