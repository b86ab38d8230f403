import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { splitStatements } from './migrate.js';
import { openPglite } from './pglite.js';
import { describeStore } from './store-suite.js';

// One in-memory store for the whole suite: starting PGlite with PostGIS takes seconds.
// NOTE: PGlite 0.5 ignores statement_timeout (a 1 s pg_sleep under a 100 ms limit
// completes), so the statement timeout case runs against PostgreSQL only.
describeStore('PGlite store', () => openPglite({ logger: silentLogger() }));

describe('splitStatements', () => {
  it('splits at line-ending semicolons and drops comments', () => {
    expect(splitStatements('-- note\nCREATE TABLE a (x int);\n\nCREATE INDEX b ON a (x);\n')).toEqual([
      'CREATE TABLE a (x int)',
      'CREATE INDEX b ON a (x)',
    ]);
  });
});
