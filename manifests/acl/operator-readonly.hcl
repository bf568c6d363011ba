# Baton role: read-only operator (`baton get`, `baton describe`, `baton events`).
# Render before use:
#   {{root}}  the installation's KV root (`--root`, BATON_ROOT; default baton/v1)
# `baton apply`, `delete` and `step-down` need write on {{root}}/singletons/ (and events/ for step-down).

# Records, locks (with their holder records), presence and the event log: all under {{root}}/.
# No session, node or agent rules: the operator commands read only KV.
key_prefix "{{root}}/" {
  policy = "read"
}

