/**
 * Append-only SQLite migrations for a Durable Object. Each entry runs once, in order; an object refuses
 * to start if an entry that already ran has since been edited (add a new entry instead).
 */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _migrations (idx INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const applied = sql.exec<{ idx: number; body: string }>('SELECT idx, body FROM _migrations ORDER BY idx').toArray();
  for (const row of applied) {
    if (migrations[row.idx] !== row.body)
      throw new Error(`migration ${row.idx} changed after it was applied; append a new one instead`);
  }
  for (let i = applied.length; i < migrations.length; i++) {
    sql.exec(migrations[i]!);
    sql.exec('INSERT INTO _migrations (idx, body) VALUES (?, ?)', i, migrations[i]!);
  }
}
