"""What other processes listen to when service levels change.

Sent by ``sla.services`` inside the writing transaction, after the change is saved, so a receiver (the
incidents' SLA clocks) recomputes in the same transaction: the edit and its consequences land together.
"""

from django.dispatch import Signal

# kwargs: sla (the Sla after the change), by (the user or None), reason (text for the clock history)
sla_changed = Signal()
# kwargs: calendar (the Calendar after the change), by, reason
calendar_changed = Signal()
