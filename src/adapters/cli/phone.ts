/**
 * `zerotouch phone`: one simulated phone. Shows the code prompt like a phone display,
 * reads the code (IP101/IP102 confirm with a trailing #, others with Enter), redeems,
 * provisions, then keeps checking in, applying and reporting firmware and config. Its
 * state survives restarts in a file. Its shell takes
 * `!vars create UPDATE/PROVISIONING-CODE h prompt` to show the prompt again.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderCodePrompt, renderStatus, formatMac } from '../phone/display';
import { PhoneClient, PhoneProtocolError } from '../phone/phone-client';
import { MODELS, readCodeEntry, SimulatedPhone, type PhoneState } from '../phone/simulated-phone';
import { randomLocalIp, randomMac, readPhoneState, writePhoneState } from '../phone/state-file';
import { UsageError } from './usage-error';

export const PROMPT_COMMAND = '!vars create UPDATE/PROVISIONING-CODE h prompt';

/** Lines from a stream, awaited one at a time. */
class LineReader {
  private readonly lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    const rl = createInterface({ input, terminal: false });
    rl.on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(line);
      } else this.lines.push(line);
    });
    rl.on('close', () => {
      this.ended = true;
      this.waiter?.(undefined);
    });
  }

  /** the next line, or undefined at the end of input or after `timeoutMs` */
  next(timeoutMs?: number): Promise<string | undefined> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (line) => {
        if (timer) clearTimeout(timer);
        resolve(line);
      };
    });
  }

  get closed(): boolean {
    return this.ended && this.lines.length === 0;
  }
}

export interface PhoneCommandIo {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

export async function phoneCommand(argv: readonly string[], io: PhoneCommandIo = { input: process.stdin, output: process.stdout, env: process.env }): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      redirector: { type: 'string' },
      mac: { type: 'string' },
      model: { type: 'string' },
      firmware: { type: 'string' },
      bootcode: { type: 'string' },
      'local-ip': { type: 'string' },
      code: { type: 'string' },
      state: { type: 'string' },
      poll: { type: 'string' },
      once: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const say = (line: string): void => {
    io.output.write(`${line}\n`);
  };
  const mac = (values.mac ?? '').toLowerCase().replace(/[^0-9a-f]/g, '') || undefined;
  if (values.mac && (!mac || mac.length !== 12)) throw new UsageError(`--mac must be a MAC address (00:90:33:aa:bb:cc), got ${values.mac}`);
  if (values.model && !/^[A-Za-z0-9-]{2,32}$/.test(values.model)) throw new UsageError(`--model must be a model name such as ${MODELS.join(', ')}`);
  const pollOverride = values.poll === undefined ? undefined : Number(values.poll);
  if (pollOverride !== undefined && !(pollOverride > 0)) throw new UsageError('--poll takes seconds > 0');

  const dataDir = io.env['ZT_DATA_DIR'] ?? './data';
  const chosenMac = mac ?? randomMac();
  const stateFile = values.state ?? join(dataDir, 'phones', `${chosenMac}.json`);
  const stored = readPhoneState(stateFile);
  const redirectorUrl = values.redirector ?? io.env['ZT_REDIRECTOR_URL'] ?? io.env['ZT_PUBLIC_URL'] ?? `http://${io.env['ZT_HOST'] ?? '127.0.0.1'}:${io.env['ZT_PORT'] ?? '8080'}`;
  let initial: PhoneState = stored ?? {
    mac: chosenMac,
    model: values.model ?? MODELS[Math.floor(Math.random() * MODELS.length)]!,
    firmware: values.firmware ?? '13r1 sr1',
    bootcode: values.bootcode ?? '13r1',
    localIp: values['local-ip'] ?? randomLocalIp(),
    redirectorUrl,
    devicesUrl: null,
    credential: null,
    configRevision: null,
    settings: {},
  };
  if (stored && values.redirector) initial = { ...initial, redirectorUrl: values.redirector };

  const client = new PhoneClient();
  const phone = new SimulatedPhone(initial, client, {
    onChange: (state) => writePhoneState(stateFile, state),
    log: (line) => say(`[${formatMac(phone.state.mac)}] ${line}`),
  });
  writePhoneState(stateFile, phone.state);
  say(`phone ${phone.state.model} ${formatMac(phone.state.mac)} (firmware ${phone.state.firmware}), state in ${stateFile}`);
  const lines = new LineReader(io.input);

  try {
    // provisioning: until the phone has a credential
    const askForCode = async (message?: string): Promise<boolean> => {
      for (;;) {
        if (values.code !== undefined) {
          const entry = readCodeEntry(phone.state.model, values.code);
          if (entry.kind !== 'code') throw new UsageError(entry.kind === 'unconfirmed' ? `--code: ${entry.hint}` : '--code is empty');
          await phone.enterCode(entry.code);
          return true;
        }
        say(renderCodePrompt(phone.state.model, phone.state.mac, message));
        const typed = await lines.next();
        if (typed === undefined) return false;
        const entry = readCodeEntry(phone.state.model, typed);
        if (entry.kind === 'empty') continue;
        if (entry.kind === 'unconfirmed') {
          message = entry.hint;
          continue;
        }
        try {
          await phone.enterCode(entry.code);
          return true;
        } catch (error) {
          if (!(error instanceof PhoneProtocolError)) throw error;
          message = error.status === 429 ? `too many tries: wait ${error.retryAfterSeconds ?? 60} s` : error.code === 'validation-failed' ? 'that is not a 12-digit code' : 'code not accepted';
        }
      }
    };

    const begin = async (): Promise<boolean> => {
      const start = await phone.start();
      if (start === 'prompt-code') return askForCode();
      if (start === 'awaiting-approval') say('waiting for an administrator to approve this phone');
      return true;
    };
    if (!(await begin())) {
      say('no code entered; the phone stays unprovisioned');
      return 1;
    }

    if (values.once) {
      const outcomes = await phone.converge();
      const failed = outcomes.find((o) => o.firmwareFailed || o.configFailed);
      say(renderStatus([`firmware ${phone.state.firmware}`, `bootcode ${phone.state.bootcode}`, `config ${phone.state.configRevision ?? 'none'}`, failed ? 'an offer failed' : 'up to date']));
      return failed ? 1 : 0;
    }

    // running: check in every pollSeconds; the shell answers in between
    say(`shell: "${PROMPT_COMMAND}" shows the code prompt again; "status", "checkin", "quit"`);
    for (;;) {
      let pollSeconds = 60;
      if (phone.provisioned) {
        try {
          const outcome = await phone.checkin();
          pollSeconds = outcome.idle ? outcome.pollSeconds : 0.2; // after a change, check in again at once
        } catch (error) {
          if (!(error instanceof PhoneProtocolError)) throw error;
          say(`check-in failed: ${error.message}`);
          if (error.status === 401) {
            say('the credential was refused: prompting for a new code');
            await phone.resetProvisioning();
            if (!(await askForCode())) return 1;
            continue;
          }
        }
      }
      const line = await lines.next((pollOverride ?? pollSeconds) * 1000);
      if (line === undefined) {
        if (lines.closed && values.code !== undefined) continue; // scripted: keep running
        if (lines.closed) {
          await new Promise((r) => setTimeout(r, (pollOverride ?? pollSeconds) * 1000));
        }
        continue;
      }
      const command = line.trim();
      if (command === '') continue;
      if (command === PROMPT_COMMAND) {
        await phone.resetProvisioning();
        if (!(await askForCode())) return 1;
      } else if (command === 'status') {
        const s = phone.state;
        say(renderStatus([`${s.model} ${formatMac(s.mac)}`, `firmware ${s.firmware} / boot ${s.bootcode}`, s.credential ? `${s.credential.domain}/${s.credential.category}` : 'not provisioned', `config ${s.configRevision ?? 'none'}`]));
      } else if (command === 'checkin') {
        continue;
      } else if (command === 'quit' || command === 'exit') {
        return 0;
      } else {
        say(`unknown command: ${command}`);
      }
    }
  } finally {
    await client.close();
  }
}
