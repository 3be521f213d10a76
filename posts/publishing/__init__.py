"""The publishing engine (docs/architecture.md, the workflow and publishing): due targets go out once, on time, with the footer.

Only the machine's work lives here: find due targets, claim them, send them,
record the outcome, reconcile the ones in doubt. What people do to targets and
to the publishing switch (retry, decide, withdraw, pause all) are transitions
in posts.services.

The database is the source of truth. A target is claimed with a conditional
UPDATE (scheduled → publishing; 0 rows means someone else has it), the
platform is called outside any transaction (on the worker's bounded send
pool), and the result is recorded in a new short transaction: the successes
of one task's round together, any other outcome on its own. A target whose attempt began but whose outcome is
unknown is never sent blindly again:

* Just before the request that creates the post, the target's ``sent_at`` is
  written and committed (conditional on the claim still being this worker's;
  sends that reach their request at the same moment share one UPDATE). A stale target without it was claimed but never sent, and
  is simply put back for the next sweep; one with it may have gone out.
* An attempt that may have gone out (a timeout or a 5xx after sent_at, a
  crash) leaves the target ``in_doubt``: its text and footer are frozen, the
  next attempt first looks for exactly that text on the platform, and a
  look-up that cannot answer (refused, rate-limited, failed) never decides —
  the target waits and looks again, or becomes unconfirmed for a person.
* One deadline bounds each send (PUBLISHING_SEND_DEADLINE_SECONDS), enforced
  by the adapters on every request, below the stale threshold; a success
  that arrives late is still recorded.

Tasks are sent by name (PUBLISH_TASK, RECONCILE_TASK): posts.tasks defines
them and calls this package, never the other way round.

One module per job:

- ``due``: finding due work (the sweep, targets held by their account);
- ``claim``: claiming with the conditional UPDATE, in one short transaction;
- ``send``: sending on the send pool, outside any transaction, looking first
  when in doubt, and reconciling stale targets;
- ``record``: recording outcomes, moving a target only out of the state it expects;
- ``reactions``: what each platform error kind leads to, as one table.

The names other modules use are imported here, so callers say
``publishing.targets_publish`` wherever it lives.
"""

from posts.publishing.claim import Claim, _claim_round
from posts.publishing.due import (
    GROUP_SIZE,
    HELD_BY,
    PUBLISH_TASK,
    RECONCILE_TASK,
    batches,
    enqueue_soon,
    record_held_targets,
    sweep,
    targets_due,
    targets_stale,
    targets_to_enqueue,
)
from posts.publishing.reactions import REACTIONS, Reaction
from posts.publishing.record import _published, _record
from posts.publishing.send import (
    SendPool,
    _send,
    send_deadline,
    send_pool,
    target_publish,
    target_reconcile,
    targets_publish,
)

__all__ = [
    "GROUP_SIZE",
    "HELD_BY",
    "PUBLISH_TASK",
    "REACTIONS",
    "RECONCILE_TASK",
    "Claim",
    "Reaction",
    "SendPool",
    "_claim_round",
    "_published",
    "_record",
    "_send",
    "batches",
    "enqueue_soon",
    "record_held_targets",
    "send_deadline",
    "send_pool",
    "sweep",
    "target_publish",
    "target_reconcile",
    "targets_due",
    "targets_publish",
    "targets_stale",
    "targets_to_enqueue",
]
