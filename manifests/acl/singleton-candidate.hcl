# Baton role: singleton candidate (`baton run --singleton {{name}}`).
# One policy per singleton name and Consul node. Render before use (see README.md here):
#   {{name}}  the singleton, e.g. converger
#   {{root}}  the installation's KV root (`--root`, BATON_ROOT; default baton/v1)
#   {{node}}  the Consul agent node the candidate talks to (its local agent's node name)

# The lease registers, passes and deregisters a node-level TTL check on its agent, lists the agent's
# checks to collect dead `baton-lease-*` ones, and anti-entropy syncs the check with this same token.
# Consul scopes agent checks by node: this also lets the token touch other checks on this node.
node "{{node}}" {
  policy = "write"
}

# Create and destroy the lease's session (session ACLs are per node) and read it back to confirm it.
session "{{node}}" {
  policy = "write"
}

# preferredHolder: a holder looks for the preferred candidate's session, which may live on any node.
session_prefix "" {
  policy = "read"
}

# The lock itself: acquire, release, consistent reads to confirm, check-session in fenced writes.
key "{{root}}/locks/{{name}}" {
  policy = "write"
}

# Directives from operators: the Singleton spec (paused, preferredHolder) and step-down requests.
key_prefix "{{root}}/singletons/{{name}}/" {
  policy = "read"
}

# Keys the worker writes with fencedPut are the workload's own: add rules for them here.
