"""What other processes listen to when the service catalogue changes.

Sent by ``catalogue.services`` inside the writing transaction, after the change is saved, so a receiver
(the CMDB's Service CI) follows in the same transaction: the edit and its consequences land together.
"""

from django.dispatch import Signal

# kwargs: service (after the change), created (bool), previous (dict of the changed fields' old values:
# name, status), by (the user or None)
service_saved = Signal()
