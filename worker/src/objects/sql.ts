/** Small readers the SQLite stores share (room-store.ts, wallet-store.ts). */

/** Runs an `INSERT ... ON CONFLICT DO NOTHING RETURNING 1`: true when the row was new. */
export function inserted(sql: SqlStorage, query: string, ...bindings: SqlStorageValue[]): boolean {
  return sql.exec(query, ...bindings).toArray().length > 0;
}

/** The records a query's rows keep as JSON in their `data` column, in row order. */
export function records<T>(sql: SqlStorage, query: string, ...bindings: SqlStorageValue[]): T[] {
  return sql
    .exec<{ data: string }>(query, ...bindings)
    .toArray()
    .map((r) => JSON.parse(r.data) as T);
}
