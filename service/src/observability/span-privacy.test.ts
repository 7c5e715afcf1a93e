import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { expect } from 'chai';
import { PrivacySpanProcessor, maskSqlLiterals, withoutQueryString } from './span-privacy';

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

  it('exports ended spans with only listed attributes, masked values and no error messages', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new PrivacySpanProcessor(new SimpleSpanProcessor(exporter))],
    });
    const span = provider.getTracer('test').startSpan('pg.query', {
      attributes: {
        'db.query.text': `SELECT 1 FROM "patients" WHERE "family_name" = 'Quixote'`,
        'url.path': '/v1/patients?name=Zebulon',
        'client.address': '203.0.113.9',
        'user_agent.original': 'Zebulon-Phone/1.0',
      },
    });
    span.recordException(new TypeError('duplicate key value (Zebulon, 1961-02-03)'));
    span.addEvent('note', { text: 'Zebulon' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'violates constraint: Zebulon' });
    span.end();
    await provider.forceFlush();

    const [exported] = exporter.getFinishedSpans();
    expect(exported?.attributes).to.deep.equal({
      'db.query.text': 'SELECT ? FROM "patients" WHERE "family_name" = ?',
      'url.path': '/v1/patients',
    });
    expect(exported?.events.map(({ name, attributes }) => ({ name, attributes }))).to.deep.equal([
      { name: 'exception', attributes: { 'exception.type': 'TypeError' } },
      { name: 'note', attributes: {} },
    ]);
    expect(exported?.status).to.deep.equal({ code: SpanStatusCode.ERROR });
    expect(JSON.stringify(exported?.attributes)).not.to.include('Zebulon');
    await provider.shutdown();
  });
});
