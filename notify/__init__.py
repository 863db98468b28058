"""Regular feedback, delivered: the weekly/monthly digest and unhappy-customer alerts by email."""
