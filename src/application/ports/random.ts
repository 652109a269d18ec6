/** Randomness, from a CSPRNG in production; tests may script it. */
export interface Random {
  /** a uniform integer in [0, max) */
  int(max: number): number;
  /** n random bytes */
  bytes(n: number): Buffer;
  /** a random UUID (event ids, job ids, …) */
  uuid(): string;
}
