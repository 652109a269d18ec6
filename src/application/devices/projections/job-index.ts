/**
 * The admin lists of update and config jobs, newest first (collection `index`):
 * `all/<pos>`, `d/<domain>/<pos>`, `dc/<domain>/<category or *>/<pos>` → `{jobId}`, where
 * `<pos>` is the log position of the job's creation. Cancelled jobs stay listed.
 */
import type { DocTx } from './doc-tx';

export const JOB_INDEX = 'index';

export interface JobFilter {
  readonly domain?: string;
  readonly category?: string;
}

/** The index prefix for a filter; a category only within a domain. */
export const jobIndexPrefix = (f: JobFilter): string | undefined => {
  if (f.domain === undefined) return f.category === undefined ? 'all/' : undefined;
  return f.category === undefined ? `d/${f.domain}/` : `dc/${f.domain}/${f.category}/`;
};

export const indexJob = (tx: DocTx, jobId: string, domain: string, category: string, placed: string): void => {
  for (const filter of [{}, { domain }, { domain, category }]) tx.put(JOB_INDEX, `${jobIndexPrefix(filter)}${placed}`, { jobId });
};
