/** How `zerotouch audit` shows an event to a person on a terminal: one line, in local time. */
import type { JsonValue, RecordedEvent } from '../../application/ports/event-store';

const PARTS: ReadonlyArray<readonly [prefix: string, part: string]> = [
  ['codeAudit-', 'redirector'],
  ['code-', 'redirector'],
  ['installation-', 'redirector'],
  ['devicesUrl-', 'redirector'],
  ['macClaim-', 'redirector'],
  ['deviceCodeAudit-', 'devices'],
  ['deviceCode-', 'devices'],
  ['device-', 'devices'],
  ['domain-', 'devices'],
  ['updateJob-', 'devices'],
  ['configJob-', 'devices'],
  ['userDevice-', 'users'],
  ['user-', 'users'],
  ['phoneApp-', 'users'],
  ['unassignedPhone-', 'users'],
  ['rollout-', 'users'],
];

/** the part that wrote a stream, from its name */
export function partOf(streamName: string): string {
  return PARTS.find(([prefix]) => streamName.startsWith(prefix))?.[1] ?? '-';
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** local time, to the second: 2026-12-06 13:05:51 */
export function localTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function short(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? value : JSON.stringify(value);
  return Array.isArray(value) ? `[${value.length}]` : '{…}';
}

/** the event's data in a few words: its first plain fields, key=value */
function summary(data: Readonly<Record<string, JsonValue>>): string {
  const fields = Object.entries(data).filter(([key]) => !/hash$/i.test(key));
  const shown = fields.slice(0, 5).map(([key, value]) => `${key}=${short(value)}`);
  if (fields.length > 5) shown.push('…');
  return shown.join(' ');
}

export function humanLine(event: RecordedEvent): string {
  const actor = typeof event.metadata.actor === 'string' ? event.metadata.actor : 'unknown';
  const data = summary(event.data);
  return `${localTime(event.recordedAt)}  ${partOf(event.streamName).padEnd(10)} ${event.type}${data ? ` ${data}` : ''}  by ${actor}  (#${event.globalPosition} ${event.streamName})`;
}
