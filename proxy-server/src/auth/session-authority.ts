/**
 * Who may use the data plane when `require_auth = true`. The control plane issues (source IP, token)
 * pairs at registration; the data plane asks before creating a session and tells it when one ends.
 */
export interface SessionAuthority {
  /** Whether a data packet from `ip` carrying `token` may open or use a session. */
  authorize(ip: string, token: number): boolean;
  /** The data-plane session for (`ip`, `token`) ended: its token dies with it. */
  sessionEnded(ip: string, token: number): void;
}
