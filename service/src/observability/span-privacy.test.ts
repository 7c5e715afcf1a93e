import { expect } from 'chai';
import { maskSqlLiterals, withoutQueryString } from './span-privacy';

describe('span privacy', () => {
  it('masks string, escaped, dollar-quoted and numeric literals in statements', () => {
    expect(
      maskSqlLiterals(
        `SELECT "id" FROM "patients" WHERE "family_name" = 'O''Brien' AND "born" < 1961.5 AND note = E'x\\'y' LIMIT 10`,
      ),
    ).to.equal(`SELECT "id" FROM "patients" WHERE "family_name" = ? AND "born" < ? AND note = ? LIMIT ?`);
    expect(maskSqlLiterals('SELECT $body$Zebulon Quixote$body$, $$penicillin$$')).to.equal('SELECT ?, ?');
  });

  it('keeps placeholders, identifiers with digits and the shape of the statement', () => {
    const statement = 'INSERT INTO "audit_events" ("id","v2_hash") VALUES ($1,$2) RETURNING "t1"."id";';
    expect(maskSqlLiterals(statement)).to.equal(statement);
  });

  it('cuts query strings and fragments from URLs and paths', () => {
    expect(withoutQueryString('/v1/patients?name=Zebulon#top')).to.equal('/v1/patients');
    expect(withoutQueryString('http://127.0.0.1:3000/readyz')).to.equal('http://127.0.0.1:3000/readyz');
  });
});
