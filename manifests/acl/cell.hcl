# Baton role: cell (`baton cell --id {{cell}}`). One policy per cell id and Consul node.
# Render before use (see README.md here):
#   {{cell}}  the cell id, e.g. cell-a
#   {{root}}  the installation's KV root (`--root`, BATON_ROOT; default baton/v1)
#   {{node}}  the Consul agent node the cell talks to (its local agent's node name)
#
# Limit: Consul scopes agent checks and sessions by node, not by owner. Two cells sharing one agent
# node can deregister each other's lease check or destroy each other's session (and so drop the other
# off the presence list). KV is strictly per cell: run one cell per agent node for full isolation.

# The lease registers, passes and deregisters a node-level TTL check on its agent, lists the agent's
# checks to collect dead `baton-lease-*` ones, and anti-entropy syncs the check with this same token.
node "{{node}}" {
  policy = "write"
}

# Create and destroy the lease's session and read it back to confirm it (write implies read).
session "{{node}}" {
  policy = "write"
}

# The presence key, held by the cell's session: acquire, update, confirm, delete on departure.
# An exact `key` rule: cell-a gets nothing on cells/cell-ab. {{shard}} is the cell id's presence shard,
# filled in by `baton acl-policy cell --cell ID` (not a value you choose).
key "{{root}}/presence/{{shard}}/cells/{{cell}}" {
  policy = "write"
}

# Departure records, one per incarnation, written in the same transaction as the presence delete.
key_prefix "{{root}}/presence/{{shard}}/departures/{{cell}}/" {
  policy = "write"
}

# Incarnation records, one per incarnation, written in the same transaction that takes the presence key
# (so a watcher can report an incarnation it never saw live) and deleted on a clean departure.
key_prefix "{{root}}/presence/{{shard}}/incarnations/{{cell}}/" {
  policy = "write"
}

# Nothing else: the cell neither reads other cells nor writes the event log (the controller does).
