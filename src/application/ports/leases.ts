/**
 * Leases: work that must run on one node at a time (a projection, a purge, the judge of
 * update waves) runs only while its node holds the work's lease. On a store shared by
 * several processes (PostgreSQL) a lease is held by one process and moves to another
 * when its holder stops or dies; on a store only one process opens (memory, SQLite) every
 * lease is always granted.
 */
export interface Leases {
  /** true when leases are shared with other processes (false: always granted, local) */
  readonly shared: boolean;
  /**
   * Whether this process holds the lease named now; when it is free, take it. Cheap to
   * call often: a held lease is answered from memory (checked against the store now and
   * then).
   */
  hold(name: string): Promise<boolean>;
  /** give a lease back (another process may take it at once) */
  release(name: string): Promise<void>;
  /** give every lease back */
  close(): Promise<void>;
}

/** The leases of a store only one process opens: each is always this process's. */
export const localLeases: Leases = {
  shared: false,
  hold: () => Promise.resolve(true),
  release: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
