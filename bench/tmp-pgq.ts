import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../src/adapters/eventstore/postgres';
const url = 'postgres://postgres@127.0.0.1:5432/zt_pgq';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS zt_pgq'); await admin.query('CREATE DATABASE zt_pgq'); await admin.end();
const store = await PostgresEventStore.open(url);
const types = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'PhoneRegistered', 'RolloutEntryRegistered'];
for (let b = 0; b < 200; b++) {
  await Promise.all(Array.from({ length: 100 }, (_, i) => store.appendToStream(`s-${b}-${i}`, [{ id: randomUUID(), type: types[(b * 100 + i) % types.length]!, data: { mac: '009033aabbcc', x: 'y'.repeat(150) }, metadata: { actor: 'phone:x', correlationId: randomUUID() } }])));
}
const head = await store.headPosition();
console.log('head', head);
for (const span of [3, 30]) {
  for (const variant of ['plain', 'typed']) {
    const N = 2000; const t = performance.now();
    for (let i = 0; i < N; i++) await store.readAll({ after: head - span, limit: 500, ...(variant === 'typed' ? { types: ['PhoneRegistered', 'RolloutEntryRegistered', 'X', 'Y'] } : {}) });
    console.log(span, variant, ((performance.now() - t) / N * 1000).toFixed(0), 'us per read');
  }
}
await store.close();
