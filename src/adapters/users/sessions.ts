/** The Profile and UsersAdmin sessions connected to this process, for pushes. */
import type { RolloutEntryUpdate, UsersNotifier } from '../../application/users/registration-feed';

export interface PushTarget {
  send(message: Record<string, unknown>): void;
}

export class UsersSessions implements UsersNotifier {
  private readonly profiles = new Map<string, Set<PushTarget>>();
  private readonly admins = new Set<PushTarget>();

  addProfile(userId: string, session: PushTarget): void {
    const sessions = this.profiles.get(userId) ?? new Set();
    sessions.add(session);
    this.profiles.set(userId, sessions);
  }

  removeProfile(userId: string, session: PushTarget): void {
    const sessions = this.profiles.get(userId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.profiles.delete(userId);
  }

  addAdmin(session: PushTarget): void {
    this.admins.add(session);
  }

  removeAdmin(session: PushTarget): void {
    this.admins.delete(session);
  }

  phoneRegistered(userId: string, push: { readonly mac: string; readonly code: string | null }): void {
    for (const session of this.profiles.get(userId) ?? []) session.send({ mt: 'PhoneRegistered', mac: push.mac, code: push.code });
  }

  rolloutEntryUpdated(update: RolloutEntryUpdate): void {
    for (const session of this.admins) session.send({ mt: 'RolloutEntryUpdated', ...update });
  }
}
