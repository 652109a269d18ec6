/**
 * The audit trail: the history of a code, a phone, a user or a job, replayed from the
 * event log in global order. A phone's history crosses the parts: the Redirector's code
 * stream, the Devices' device and code streams, the Users' user device and rollout
 * events. Events name their subjects in their data and stream names; streams about one
 * subject (a code, a device, a user device) are taken whole once one of their events
 * names the subject, so the events that lead up to it (the code issued, the code
 * requested) are part of the answer.
 */
import type { EventStore, JsonValue, RecordedEvent } from './ports/event-store';
import { withPersonal } from './personal-data';

export interface AuditFilter {
  /** the code's 12 digits and its keyed hashes (each part keeps its own) */
  readonly code?: { readonly digits: string; readonly hashes: readonly string[] };
  readonly mac?: string;
  readonly user?: string;
  readonly job?: string;
  /** RFC 3339, inclusive */
  readonly since?: string;
  /** RFC 3339, exclusive */
  readonly until?: string;
  /** only events this actor caused (`metadata.actor`: `admin:global`, `admin:<id>`, `phone:<mac>`, …) */
  readonly actor?: string;
}

/** Streams that are about one subject each: once one of their events matches, all of it does. */
const SUBJECT_STREAM = /^(code|codeAudit|deviceCode|device|userDevice|macClaim|unassignedPhone|updateJob|configJob|user)-/;

/** does any value under these property names (anywhere in the data) equal `wanted`? */
function hasValue(value: JsonValue | undefined, names: ReadonlySet<string>, wanted: string): boolean {
  if (Array.isArray(value)) return value.some((v) => hasValue(v, names, wanted));
  if (value === null || typeof value !== 'object') return false;
  for (const [key, v] of Object.entries(value)) {
    if (names.has(key) && v === wanted) return true;
    if (typeof v === 'object' && v !== null && hasValue(v, names, wanted)) return true;
  }
  return false;
}

const USER_KEYS = new Set(['userId', 'user']);
const JOB_KEYS = new Set(['jobId']);
const MAC_KEYS = new Set(['mac', 'macs']);

function containsText(event: RecordedEvent, needles: readonly string[]): boolean {
  if (needles.length === 0) return false;
  const text = `${event.streamName}\u0000${JSON.stringify(event.data)}`;
  return needles.some((n) => text.includes(n));
}

/** the subject terms of an event that matched, to follow into related streams */
function relatedTerms(event: RecordedEvent): string[] {
  const terms: string[] = [];
  const hash = event.data['codeHash'];
  if (typeof hash === 'string') terms.push(hash);
  const streamHash = /^(?:code|codeAudit|deviceCode|userDevice)-(.+)$/.exec(event.streamName)?.[1];
  if (streamHash) terms.push(streamHash);
  return terms;
}

export function matchesDirectly(event: RecordedEvent, filter: AuditFilter): boolean {
  if (filter.code && !containsText(event, [filter.code.digits, ...filter.code.hashes])) return false;
  if (filter.mac) {
    const inStream = event.streamName.endsWith(`-${filter.mac}`);
    const inData = hasValue(event.data, MAC_KEYS, filter.mac) || (Array.isArray(event.data['macs']) && event.data['macs'].includes(filter.mac));
    if (!inStream && !inData) return false;
  }
  if (filter.user && event.streamName !== `user-${filter.user}` && !hasValue(event.data, USER_KEYS, filter.user)) return false;
  if (filter.job && !event.streamName.endsWith(`-${filter.job}`) && !hasValue(event.data, JOB_KEYS, filter.job)) return false;
  return true;
}

function inTimeRange(event: RecordedEvent, filter: AuditFilter): boolean {
  if (filter.actor !== undefined && event.metadata['actor'] !== filter.actor) return false;
  const at = Date.parse(event.recordedAt);
  if (filter.since && at < Date.parse(filter.since)) return false;
  if (filter.until && at >= Date.parse(filter.until)) return false;
  return true;
}

async function* everyEvent(store: EventStore, pageSize = 1000): AsyncGenerator<RecordedEvent> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    // whole events: the personal part in the data (null where purged)
    for (const event of page.events) yield withPersonal(event);
    if (page.events.length === 0) return;
    after = page.position;
  }
}

/**
 * The events of the filter's subjects, in global order (of its actor, and in its time range, when it names them). Two passes over the log: the
 * first finds the subject streams and the code hashes the subject touched, the second
 * answers every event that matches directly, belongs to such a stream, or names such a hash.
 */
export async function* auditTrail(store: EventStore, filter: AuditFilter): AsyncGenerator<RecordedEvent> {
  const subjectFilter = filter.code || filter.mac || filter.user || filter.job;
  if (!subjectFilter) {
    for await (const event of everyEvent(store)) if (inTimeRange(event, filter)) yield event;
    return;
  }
  const streams = new Set<string>();
  const terms = new Set<string>();
  for await (const event of everyEvent(store)) {
    if (!matchesDirectly(event, filter)) continue;
    if (SUBJECT_STREAM.test(event.streamName)) streams.add(event.streamName);
    for (const term of relatedTerms(event)) terms.add(term);
  }
  const related = [...terms];
  for await (const event of everyEvent(store)) {
    const wanted = streams.has(event.streamName) || matchesDirectly(event, filter) || (related.length > 0 && containsText(event, related));
    if (wanted && inTimeRange(event, filter)) yield event;
  }
}
