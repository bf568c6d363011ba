# Baton role: read-only operator (`baton get`, `baton describe`, `baton events`). No placeholders.
# `baton apply`, `delete` and `step-down` need write on baton/v1/singletons/ (and events/ for step-down).

# Records, locks (with their holder records), presence and the event log: all under baton/v1/.
# No session, node or agent rules: the operator commands read only KV.
key_prefix "baton/v1/" {
  policy = "read"
}

