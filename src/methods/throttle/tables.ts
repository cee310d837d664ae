export interface MethodThrottleTable {
  /** A user id, or the engine's placeholder for a name that matches no account (so both lock alike). */
  user_id: string;
  /** A MethodType. */
  method: string;
  /** Failures since the last success (attempts in flight count as failures until they succeed). */
  failures: number;
  last_failure_at: string | null;
  locked_until: string | null;
}

export interface IpThrottleTable {
  /** The address, or its /64 for IPv6 (one host usually owns the whole /64). */
  ip_key: string;
  /** Start of the fixed window this row counts, ISO-8601. */
  window_start: string;
  failures: number;
}

export interface ThrottleTables {
  method_throttle: MethodThrottleTable;
  ip_throttle: IpThrottleTable;
}
