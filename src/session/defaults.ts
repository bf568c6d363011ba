const leaseDefaults = {
  /**
   * The session's own TTL, a backstop behind the check: Consul servers' default `session_ttl_min`, and
   * servers destroy a session within 2 × TTL of its last renewal (consul-facts §1.3).
   */
  sessionTtlMs: 10_000,
};
/** Every default of `Lease`, in one place (each option's `@default` names its entry). */
export const LEASE_DEFAULTS: Readonly<typeof leaseDefaults> = Object.freeze(leaseDefaults);
