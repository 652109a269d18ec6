/**
 * Device (Devices): one phone, by MAC (`device-<mac>`).
 *
 * - Provisioned into the domain and category of a code. While it belongs to one domain
 *   (claimed, awaiting approval or active there), a code of another domain is refused with
 *   `device-owned-by-other-domain` until an admin releases it. A retried provision with
 *   the same code rotates its credential; a new code of the same domain provisions it again.
 * - Pre-claimed (SPEC §5.4): an admin claims the MAC for a domain and category; the phone
 *   may then provision without a code, but since a MAC is no secret it waits, offered
 *   nothing, until an admin approves it.
 * - Check-ins record only what changed: the versions the phone reports, a firmware job or
 *   config revision offered for the first time, and an offered version the phone now runs.
 *   Reports of a job or revision never offered to it are refused with `conflict`.
 * - Each provisioning (by code or by approval) raises a `PhoneProvisioned` notice for the
 *   Users of the domain, kept (in the outbox read model) until it is acknowledged.
 *
 * Every event carries the MAC; every event carries the domain and category the phone is
 * in, so read models place it without another stream. Personal data: the MAC, model and
 * versions (the local IP is not kept by Devices); see docs/events.md for its purge. The
 * digits of a code it provisioned with are purged once the code expired
 * (`personalFields`, `PurgeProvisioningCodes`); its keyed hash stays in the history.
 */
export * from './events';
export * from './commands';
export * from './state';
export * from './decide';
