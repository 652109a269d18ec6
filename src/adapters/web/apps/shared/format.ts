/** How the apps show codes, MACs, times and states. */

/** `123456789012` → `1234 5678 9012`, for reading aloud and typing */
export const groupCode = (code: string): string => code.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1 ');

/** `009033aabbcc` → `00:90:33:aa:bb:cc` */
export const formatMac = (mac: string): string => mac.replace(/(..)(?=.)/g, '$1:');

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** an RFC 3339 time in the reader's locale and time zone */
export const formatTime = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
};

const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "in 7 days", "3 minutes ago" */
export const fromNow = (iso: string, now = Date.now()): string => {
  const ms = new Date(iso).getTime() - now;
  for (const [unit, size] of UNITS) if (Math.abs(ms) >= size || unit === 'second') return relative.format(Math.round(ms / size), unit);
  return '';
};

/** `<time>` text with the full time as its datetime */
export const timeText = (iso: string | null | undefined): string => (iso ? `${formatTime(iso)} (${fromNow(iso)})` : '—');

const STATE_NAMES: Readonly<Record<string, string>> = {
  pending: 'Pending',
  registered: 'Registered',
  expired: 'Expired',
  active: 'Active',
  claimed: 'Claimed',
  'awaiting-approval': 'Awaiting approval',
  released: 'Released',
  running: 'Running',
  halted: 'Halted',
  cancelled: 'Cancelled',
  offered: 'Offered',
  applied: 'Applied',
  failed: 'Failed',
};

/** a state as a word a person reads */
export const stateName = (state: string): string => STATE_NAMES[state] ?? state;
