import type { AlertFacts } from '../domain/archiveLine';

/** A Debugger alert as a gap's evidence quotes it. */
export interface QuotedAlert {
  alert_sid: string | null;
  at: string | null;
  level: string | null;
  error_code: string | null;
}

/** The most alerts quoted for one message: a message that fails repeatedly could otherwise swell its gap line. */
export const MAX_ALERTS_PER_GAP = 10;

/**
 * The Debugger alerts of the archive's window, by message, each once (an
 * alert delivered twice is one alert: same SID), for the gaps to quote.
 * Alerts are few (one per failure Twilio logs), so they are held whole.
 */
export class AlertBook {
  private readonly bySid = new Map<string, Map<string, QuotedAlert>>();
  private total = 0;

  /** An alert as a reader hands it over. */
  add(alert: AlertFacts): void {
    if (alert.message_sid === null) return;
    const level = alert.params.Level;
    this.addQuoted(alert.message_sid, {
      alert_sid: alert.idempotency_token,
      at: alert.event_at,
      level: typeof level === 'string' ? level : null,
      error_code: alert.error_code,
    });
  }

  /** An alert as a warehouse's query row gives it. */
  addQuoted(messageSid: string, alert: QuotedAlert): void {
    const quoted = { ...alert, level: alert.level?.toLowerCase() ?? null };
    let alerts = this.bySid.get(messageSid);
    if (!alerts) this.bySid.set(messageSid, (alerts = new Map<string, QuotedAlert>()));
    const key = quoted.alert_sid ?? `${quoted.at}|${quoted.error_code}`;
    if (!alerts.has(key)) {
      alerts.set(key, quoted);
      this.total++;
    }
  }

  /** The message's alerts, oldest first. */
  alertsFor(messageSid: string): QuotedAlert[] {
    const alerts = this.bySid.get(messageSid);
    if (!alerts) return [];
    return [...alerts.values()].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || (a.alert_sid ?? '').localeCompare(b.alert_sid ?? ''));
  }

  /** Alerts about messages read in the window. */
  get count(): number {
    return this.total;
  }
}
