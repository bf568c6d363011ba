# Baton role: controller (`baton controller`). One policy per Consul node the controller runs on.
# Render before use (see README.md here):
#   {{root}}  the installation's KV root (`--root`, BATON_ROOT; default baton/v1)
#   {{node}}  the Consul agent node the controller talks to (its local agent's node name)

# Like a singleton candidate for `baton-controller` (HA election): the lease's agent TTL check...
node "{{node}}" {
  policy = "write"
}

# ...and its session on this node.
session "{{node}}" {
  policy = "write"
}

# The singleton reconciler lists every session to see candidates and orphaned locks.
session_prefix "" {
  policy = "read"
}

# Singleton records: read specs and step-down requests, write status.
key_prefix "{{root}}/singletons/" {
  policy = "write"
}

# Cell records: read specs, write status.
key_prefix "{{root}}/cells/" {
  policy = "write"
}

# Watch every lock to compare holders with the Singleton records; the lock GC marks unheld keys (their
# Flags) and deletes them after --lock-retention, each write a CAS that loses to any acquire.
key_prefix "{{root}}/locks/" {
  policy = "write"
}

# The controller's own election lock.
key "{{root}}/locks/baton-controller" {
  policy = "write"
}

# The presence watcher: reads cells and departures, writes its known records, deletes read departures.
key_prefix "{{root}}/presence/" {
  policy = "write"
}

# The durable event log (presence and singleton streams): CAS the head, append, trim by retention.
key_prefix "{{root}}/events/" {
  policy = "write"
}
