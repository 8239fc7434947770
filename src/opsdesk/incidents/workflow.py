"""The incident lifecycle of the operations manual, as data (see ``opsdesk.core.workflow``).

New -> Assigned (workgroup set, members notified) -> Accepted (a member owns it, customer contacted)
<-> Pending (with a reason) -> Completed (resolution given) -> Closed (customer agrees). The customer may
reject a completion (back to Accepted, reopen count + 1). Closed is final.
"""

from opsdesk.core.workflow import Transition, Workflow
from opsdesk.incidents.choices import Status

S = Status

INCIDENT_WORKFLOW = Workflow(
    [
        Transition("assign", frozenset({S.NEW}), S.ASSIGNED, "Assign"),
        Transition("reassign", frozenset({S.ASSIGNED, S.ACCEPTED, S.PENDING}), S.ASSIGNED, "Reassign"),
        Transition("accept", frozenset({S.ASSIGNED}), S.ACCEPTED, "Accept"),
        Transition("pend", frozenset({S.ACCEPTED}), S.PENDING, "Set pending"),
        Transition("resume", frozenset({S.PENDING}), S.ACCEPTED, "Resume"),
        Transition("complete", frozenset({S.ACCEPTED, S.PENDING}), S.COMPLETED, "Complete"),
        Transition("close", frozenset({S.COMPLETED}), S.CLOSED, "Close"),
        Transition("reject", frozenset({S.COMPLETED}), S.ACCEPTED, "Reject completion"),
        Transition("reopen", frozenset({S.COMPLETED}), S.ACCEPTED, "Reopen"),
    ],
    final={S.CLOSED},
)

# Actions a customer user may take on an incident they can see; every other action is for staff.
CUSTOMER_ACTIONS = frozenset({"close", "reject"})
