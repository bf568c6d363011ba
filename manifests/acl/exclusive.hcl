# Baton role: exclusive operation (`baton lock {{resource}} -- CMD`, the library's `tryLock`).
# One policy per resource and Consul node. Render before use (see README.md here):
#   {{resource}}  the resource, e.g. nightly-backup
#   {{root}}  the installation's KV root (`--root`, BATON_ROOT; default baton/v1)
#   {{node}}  the Consul agent node the executor talks to (its local agent's node name)

# The lease registers, passes and deregisters a node-level TTL check on its agent, lists the agent's
# checks to collect dead `baton-lease-*` ones, and anti-entropy syncs the check with this same token.
node "{{node}}" {
  policy = "write"
}

# Create and destroy the lease's session (session ACLs are per node) and read it back to confirm it.
session "{{node}}" {
  policy = "write"
}

# The lock itself: acquire, release, consistent reads to confirm, check-session in fenced writes.
key "{{root}}/locks/exclusive/{{resource}}" {
  policy = "write"
}

# Keys the operation writes with fencedPut are the workload's own: add rules for them here.
