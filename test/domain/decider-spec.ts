/**
 * Given/when/then for deciders, in the style of Emmett's DeciderSpecification:
 *
 *   const given = deciderSpec(ProvisioningCode.decider, ProvisioningCode.Event);
 *   given([issued]).when(redeem).then([redeemed]);
 *   given([issued, revoked]).when(redeem).thenFails('unknown-code');
 *
 * Beyond comparing results it checks that every given and every emitted event survives
 * a trip through JSON and the aggregate's codec unchanged (so what a decider writes can
 * be read back), and that the emitted events fold into a state.
 */
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { expect } from 'vitest';
import { fold, type Decider, type DomainError, type DomainErrorCode, type DomainEvent } from '../../src/domain/decider';

const roundTrip = <Ev>(codec: t.Type<Ev, Ev, unknown>, event: Ev, role: string): void => {
  const stored: unknown = JSON.parse(JSON.stringify(event));
  const decoded = codec.decode(stored);
  if (E.isLeft(decoded)) {
    throw new Error(`${role} event does not decode: ${JSON.stringify(event)}`);
  }
  expect(decoded.right, `${role} event changes through JSON and its codec`).toEqual(event);
};

export interface Then<Ev, S> {
  /** the command succeeds with exactly these events; answers the state after them */
  then(expected: readonly Ev[]): S;
  /** the command succeeds and changes nothing (an idempotent repeat) */
  thenNothingHappens(): S;
  /** the command is refused with this code (and a detail matching `detail`, when given) */
  thenFails(code: DomainErrorCode, detail?: string | RegExp): DomainError;
  /** the raw result, for assertions the helpers above do not cover */
  result(): E.Either<DomainError, readonly Ev[]>;
}

export const deciderSpec = <C, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>, codec: t.Type<Ev, Ev, unknown>) =>
  (given: readonly Ev[]) => ({
    when: (command: C): Then<Ev, S> => {
      const run = () => {
        given.forEach((event) => roundTrip(codec, event, 'given'));
        const state = fold(decider, given);
        return { state, result: decider.decide(command, state) };
      };
      const then = (expected: readonly Ev[]): S => {
        const { state, result } = run();
        if (E.isLeft(result)) throw new Error(`expected events, got ${result.left.code}: ${result.left.detail}`);
        expect(result.right).toEqual(expected);
        result.right.forEach((event) => roundTrip(codec, event, 'emitted'));
        return result.right.reduce(decider.evolve, state);
      };
      return {
        then,
        thenNothingHappens: () => then([]),
        thenFails: (code, detail) => {
          const { result } = run();
          if (E.isRight(result)) throw new Error(`expected ${code}, got events ${JSON.stringify(result.right)}`);
          expect(result.left.code).toBe(code);
          if (detail !== undefined) expect(result.left.detail).toMatch(detail);
          return result.left;
        },
        result: () => run().result,
      };
    },
  });

/** The right value of an Either, or a failed test. */
export const rightOf = <A>(either: E.Either<DomainError, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected a value, got ${either.left.code}: ${either.left.detail}`);
  return either.right;
};

/** The refusal of an Either, or a failed test. */
export const leftOf = <A>(either: E.Either<DomainError, A>): DomainError => {
  if (E.isRight(either)) throw new Error(`expected a refusal, got ${JSON.stringify(either.right)}`);
  return either.left;
};
