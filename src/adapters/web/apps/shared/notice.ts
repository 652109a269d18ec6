/**
 * Live regions: an error (role=alert, read out at once) or a status (role=status, read out
 * when the reader is idle). Empty, they take no space.
 */
import { h } from './dom';
import { describeError } from './errors';
import type { SocketStatus } from './app-socket';

export type Tone = 'error' | 'warning' | 'info' | 'ok';

export class Notice {
  readonly element: HTMLElement;

  constructor(kind: 'alert' | 'status', id?: string) {
    this.element = h('div', { class: 'notice', role: kind, 'aria-live': kind === 'alert' ? 'assertive' : 'polite', id });
  }

  show(text: string, tone: Tone = 'error'): void {
    this.element.dataset['tone'] = tone;
    this.element.textContent = text;
  }

  /** an error as a person reads it */
  error(error: unknown): void {
    this.show(describeError(error), 'error');
  }

  clear(): void {
    this.element.textContent = '';
  }
}

/** what the connection banner says about a socket's status; undefined: nothing to say */
export function connectionMessage(status: SocketStatus): { text: string; tone: Tone } | undefined {
  switch (status.kind) {
    case 'connecting':
      return { text: 'Connecting to the server…', tone: 'info' };
    case 'offline':
      return { text: `${status.reason} Trying again in ${Math.ceil(status.retryInMs / 1000)} s; what you see may be out of date.`, tone: 'error' };
    case 'online':
      return status.reconnected ? { text: 'Connected again.', tone: 'ok' } : undefined;
    case 'refused':
      return { text: `The token was refused: ${status.detail}.`, tone: 'error' };
  }
}
