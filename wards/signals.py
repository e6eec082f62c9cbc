"""Signals other apps listen to when reference data changes under them."""

from django.dispatch import Signal

# Sent after units may have moved to another province (load_units, the admin).
# The criteria app repeats each unit's province on its assessments and follows.
units_moved = Signal()
