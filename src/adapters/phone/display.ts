/** The code prompt as a desk phone's display shows it. */
import { HASH_CONFIRM_MODELS } from './simulated-phone';

const WIDTH = 34;

const row = (text = ''): string => `│ ${text.padEnd(WIDTH - 2).slice(0, WIDTH - 2)} │`;

export function formatMac(mac: string): string {
  return mac.match(/.{2}/g)?.join(':') ?? mac;
}

/** digits typed so far, grouped as the code is printed: `1234 5678 90__` */
export function codeMask(typed = ''): string {
  const digits = typed.replace(/\D/g, '').slice(0, 12).padEnd(12, '_');
  return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8, 12)}`;
}

export function renderCodePrompt(model: string, mac: string, message?: string): string {
  const confirm = HASH_CONFIRM_MODELS.has(model) ? 'end with # to confirm' : 'OK (Enter) to confirm';
  return [
    `┌${'─'.repeat(WIDTH)}┐`,
    row(`${model.padEnd(10)}${formatMac(mac).padStart(WIDTH - 12)}`),
    row(),
    row('Provisioning code:'),
    row(`  ${codeMask()}`),
    row(),
    row(confirm),
    ...(message ? [row(message)] : []),
    `└${'─'.repeat(WIDTH)}┘`,
  ].join('\n');
}

export function renderStatus(lines: readonly string[]): string {
  return [`┌${'─'.repeat(WIDTH)}┐`, ...lines.map((l) => row(l)), `└${'─'.repeat(WIDTH)}┘`].join('\n');
}
