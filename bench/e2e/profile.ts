/** Where the time goes in a V8 CPU profile: self time by function and inclusive time by source file. */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  /** [label, ms] by self time, largest first */
  readonly functions: ReadonlyArray<readonly [string, number]>;
  /** [file under src/, ms] by inclusive time, largest first */
  readonly files: ReadonlyArray<readonly [string, number]>;
}

const shortUrl = (url: string): string => {
  const src = /\/(src\/.*)$/.exec(url)?.[1];
  if (src) return src;
  const pkg = /node_modules\/(.*)$/.exec(url)?.[1];
  if (pkg) return pkg.split('/').slice(0, 3).join('/');
  return url.split('/').slice(-2).join('/');
};

/** The source file of a frame: through the bundle's source map where the frame is in the bundle. */
function sourceResolver(): (frame: ProfileNode['callFrame']) => string {
  const maps = new Map<string, SourceMap | null>();
  return (frame) => {
    if (!frame.url.startsWith('file://') || !frame.url.includes('/dist/server/')) return frame.url;
    let map = maps.get(frame.url);
    if (map === undefined) {
      const path = `${fileURLToPath(frame.url)}.map`;
      map = existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : null;
      maps.set(frame.url, map);
    }
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string } | undefined;
    return entry?.originalSource ?? frame.url;
  };
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const sourceOf = sourceResolver();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  let gc = 0;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, micros] of self) {
    total += micros;
    const node = nodes.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') idle += micros;
    if (name === '(garbage collector)') gc += micros;
    const label = `${name || '(anonymous)'} ${shortUrl(sourceOf(node.callFrame))}`.trim();
    byFunction.set(label, (byFunction.get(label) ?? 0) + micros);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = sourceOf(nodes.get(cur)!.callFrame);
      const src = /(?:^|\/)(src\/(?:adapters|application|domain)\/.*)$/.exec(url)?.[1];
      if (src && !seen.has(src)) {
        seen.add(src);
        byFile.set(src, (byFile.get(src) ?? 0) + micros);
      }
    }
  }
  const ms = (m: Map<string, number>): Array<[string, number]> =>
    [...m].map(([k, v]): [string, number] => [k, v / 1000]).sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    gcMs: gc / 1000,
    functions: ms(new Map([...byFunction].filter(([k]) => !k.startsWith('(idle)')))),
    files: ms(byFile),
  };
}
