/**
 * JSON from strangers, bounded before anything recursive touches it. `JSON.parse` accepts
 * 5,000 nested arrays in 10 KB, but `JSON.stringify`, `String(array)` and every recursive
 * walker (validators, error previews, canonical forms) overflow the stack on them. So the
 * raw text is scanned first, in one loop without recursion, and refused when its nesting
 * is deeper than the limit; only then is it parsed. Every HTTP body and WebSocket message
 * passes here (HTTP bodies then go through fastify's own parser, with its protection
 * against prototype poisoning; WebSocket messages through `parseBoundedJson`, which
 * refuses the same keys).
 */

/** the default nesting limit: a config job's parameters may nest 32 deep inside a body */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** true when the JSON text nests arrays and objects deeper than `maxDepth` (strings are skipped; invalid JSON is left to the parser) */
export function jsonTooDeep(text: string, maxDepth: number): boolean {
  // every level needs at least one bracket
  if (text.length <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export type BoundedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: 'too-deep' | 'not-json' | 'forbidden-key'; readonly detail: string };

/**
 * Parse text whose nesting is at most `maxDepth`; refuse `__proto__` keys and
 * `constructor.prototype`, as fastify's parser does for HTTP bodies (a later
 * `Object.assign` or merge would otherwise change an object's prototype).
 */
export function parseBoundedJson(text: string, maxDepth: number): BoundedJson {
  if (jsonTooDeep(text, maxDepth)) return { ok: false, reason: 'too-deep', detail: `the JSON nests deeper than ${maxDepth} levels` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not-json', detail: 'the message is not valid JSON' };
  }
  // a forbidden key can only be there if its name is, plainly or escaped
  if ((text.includes('proto') || text.includes('constructor') || text.includes('\\u')) && hasForbiddenKey(value)) {
    return { ok: false, reason: 'forbidden-key', detail: 'the JSON holds a "__proto__" key or "constructor.prototype", which are not accepted' };
  }
  return { ok: true, value };
}

/** an iterative walk (the value is bounded in depth, but need not be small) */
function hasForbiddenKey(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) return true;
    const ctor = Object.prototype.hasOwnProperty.call(node, 'constructor') ? (node as Record<string, unknown>)['constructor'] : undefined;
    if (typeof ctor === 'object' && ctor !== null && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) return true;
    for (const key of Object.keys(node)) pending.push((node as Record<string, unknown>)[key]);
  }
  return false;
}

type Frame = { readonly items: readonly unknown[]; readonly keys: readonly string[] | undefined; i: number };

/**
 * A short JSON-like text of any value, for error messages: at most `max` characters,
 * written without recursion and without looking further into the value than it shows
 * (a 100,000-element array or a 5,000-deep one costs as little as `[1]`).
 */
export function preview(value: unknown, max = 60): string {
  let out = '';
  const stack: Frame[] = [];
  const full = (): boolean => out.length > max;
  const scalar = (v: unknown): string => {
    if (typeof v === 'string') return JSON.stringify(v.length > max ? v.slice(0, max + 1) : v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return 'a function';
    if (typeof v === 'symbol') return 'a symbol';
    return String(v);
  };
  const open = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) {
      out += scalar(v);
      return;
    }
    if (Array.isArray(v)) {
      out += '[';
      stack.push({ items: v, keys: undefined, i: 0 });
      return;
    }
    const keys: string[] = [];
    // only as many keys as could be shown
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      keys.push(key);
      if (keys.length > max) break;
    }
    out += '{';
    stack.push({ items: keys.map((k) => (v as Record<string, unknown>)[k]), keys, i: 0 });
  };
  open(value);
  while (stack.length > 0 && !full()) {
    const frame = stack[stack.length - 1]!;
    if (frame.i >= frame.items.length) {
      out += frame.keys ? '}' : ']';
      stack.pop();
      continue;
    }
    if (frame.i > 0) out += ',';
    if (frame.keys) out += `${scalar(frame.keys[frame.i])}:`;
    open(frame.items[frame.i++]);
  }
  return out.length > max ? `${out.slice(0, max - 3)}...` : out;
}
