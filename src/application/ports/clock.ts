/** Time, as the application sees it: tests move it forward. */
import { timestampFromMillis, type Timestamp } from '../../domain/values/time';
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests control. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** The time of a decision, as the domain's commands take it. */
export const nowOf = (clock: Clock): Timestamp => timestampFromMillis(clock.now().getTime());
