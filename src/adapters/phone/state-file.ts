/** A simulated phone keeps its state in a JSON file, so it survives restarts like a real one. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PhoneState } from './simulated-phone';

export function readPhoneState(file: string): PhoneState | undefined {
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as PhoneState;
  if (typeof state.mac !== 'string' || typeof state.redirectorUrl !== 'string') throw new Error(`${file} is not a phone state file`);
  return state;
}

export function writePhoneState(file: string, state: PhoneState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file); // atomic: a crash leaves the old state or the new one
}

/** A MAC under innovaphone's OUI 00:90:33, lowercase hex. */
export function randomMac(): string {
  return `009033${randomBytes(3).toString('hex')}`;
}

export function randomLocalIp(): string {
  const b = randomBytes(2);
  return `192.168.${b[0]! % 255}.${(b[1]! % 253) + 1}`;
}
