/** The shape of `zerotouch admin <noun> <verb> …`: each noun a set of verbs over the admin APIs. */
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../usage-error';
import type { AdminApi, Answer } from './http';
import { show, type Output } from './output';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Readonly<Record<string, string | boolean | undefined>>;

export interface VerbContext {
  readonly api: AdminApi;
  readonly out: Output;
  /** where the hint to the next page goes */
  readonly err: (text: string) => void;
  readonly args: readonly string[];
  readonly values: Values;
}

export interface Verb {
  /** the arguments after the verb, for the help */
  readonly usage: string;
  readonly summary: string;
  readonly options?: Options;
  /** a list: takes --limit and --cursor */
  readonly paged?: boolean;
  readonly run: (context: VerbContext) => Promise<void>;
}

export interface Noun {
  readonly name: string;
  readonly summary: string;
  readonly verbs: Readonly<Record<string, Verb>>;
}

/** the positional argument `index`, or a usage error naming it */
export const arg = (context: VerbContext, index: number, what: string): string => {
  const value = context.args[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
};

/** a string option, required */
export const required = (context: VerbContext, name: string): string => {
  const value = context.values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
};

export const optionalString = (context: VerbContext, name: string): string | undefined => {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
};

/** `?limit=&cursor=` from --limit and --cursor */
export const page = (context: VerbContext): Record<string, string | undefined> => ({
  limit: optionalString(context, 'limit'),
  cursor: optionalString(context, 'cursor'),
});

/** print a page and, on a terminal's stderr, how to get the next one */
export const showPage = (context: VerbContext, answer: Answer, columns?: readonly string[]): void => {
  show(context.out, answer.body, columns);
  if (answer.next !== undefined) context.err(`more: --cursor ${answer.next}\n`);
};

export const nounHelp = (noun: Noun): string => {
  const lines = Object.entries(noun.verbs).map(([verb, v]) => {
    const options = Object.keys(v.options ?? {}).map((o) => `[--${o}${v.options![o]!.type === 'string' ? ' …' : ''}]`);
    const usage = [`zerotouch admin ${noun.name} ${verb}`, v.usage, ...options, ...(v.paged ? ['[--limit n] [--cursor c]'] : [])].filter(Boolean).join(' ');
    return `  ${usage}\n        ${v.summary}`;
  });
  return `${noun.name}: ${noun.summary}\n\n${lines.join('\n')}\n\nevery verb takes --url (default ZT_PUBLIC_URL) and --json; the token is ZT_ADMIN_TOKEN\n`;
};
