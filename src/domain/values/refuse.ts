/** The one way a value object or a command check says no: `validation-failed` with a reason. */
import * as E from 'fp-ts/Either';
import { domainError, type DomainError } from '../decider';

export const invalid = <A = never>(detail: string): E.Either<DomainError, A> => E.left(domainError('validation-failed', detail));

/** Does the text hold control characters (C0, DEL or C1)? */
export const hasControlCharacters = (s: string): boolean => /[\u0000-\u001f\u007f-\u009f]/.test(s);
