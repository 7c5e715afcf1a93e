import { expect } from 'chai';
import { QueryTypes, type ModelStatic, type Model } from 'sequelize';
import { CONSULTATION_STATUSES } from '../service/src/consultations/model';
import { PRESCRIPTION_STATUSES } from '../service/src/prescriptions/model';
import { SPECIALTIES } from '../service/src/providers/model';
import { columns, foreignKeys, type ColumnInfo, type ForeignKeyInfo } from './test/introspect';
import { useTestApp } from '../service/test/support/test-app';

interface AttributeLike {
  field?: string;
  type: { toSql(): string } | string;
  allowNull?: boolean;
  primaryKey?: boolean;
  references?: { model: string | { tableName: string }; key?: string };
  onDelete?: string;
}

// Sequelize's generic DATE renders as DATETIME until a dialect maps it; in PostgreSQL it is timestamptz.
const DIALECT_TYPES: Record<string, string> = { datetime: 'timestamp with time zone', 'bigint[]': 'int8[]' };

function modelColumns(model: ModelStatic<Model>): ColumnInfo[] {
  return Object.values(model.getAttributes() as Record<string, AttributeLike>).map((attribute) => ({
    table: model.getTableName() as string,
    column: attribute.field ?? '',
    type: sqlType(attribute),
    nullable: attribute.primaryKey ? false : attribute.allowNull !== false,
  }));
}

function modelForeignKeys(model: ModelStatic<Model>): ForeignKeyInfo[] {
  return Object.values(model.getAttributes() as Record<string, AttributeLike>)
    .filter((attribute) => attribute.references)
    .map((attribute) => {
      const target = attribute.references!.model;
      return {
        table: model.getTableName() as string,
        column: attribute.field ?? '',
        referencedTable: typeof target === 'string' ? target : target.tableName,
        referencedColumn: attribute.references!.key ?? 'id',
        onDelete: (attribute.onDelete ?? 'NO ACTION').toUpperCase(),
      };
    });
}

function sqlType(attribute: AttributeLike): string {
  const type = (typeof attribute.type === 'string' ? attribute.type : attribute.type.toSql()).toLowerCase();
  return DIALECT_TYPES[type] ?? type;
}

const describeColumn = (c: ColumnInfo) =>
  `${c.table}.${c.column} ${c.type} ${c.nullable ? 'NULL' : 'NOT NULL'}`;
const describeKey = (k: ForeignKeyInfo) =>
  `${k.table}.${k.column} -> ${k.referencedTable}.${k.referencedColumn} ON DELETE ${k.onDelete}`;

function differences(expected: string[], actual: string[]): { missing: string[]; unexpected: string[] } {
  return {
    missing: expected.filter((line) => !actual.includes(line)),
    unexpected: actual.filter((line) => !expected.includes(line)),
  };
}

describe('the schema and the models', () => {
  const app = useTestApp();
  it('agree on every table, column, type and nullability, in both directions', async () => {
    const runtime = app.runtime;
    const fromModels = Object.values(runtime.models)
      .flatMap((model) => modelColumns(model as ModelStatic<Model>))
      .map(describeColumn);
    const fromDatabase = (await columns(runtime.sequelize)).map(describeColumn);
    const { missing, unexpected } = differences(fromDatabase, fromModels);
    expect(missing, 'columns without a model attribute (or with another type or nullability)').to.deep.equal(
      [],
    );
    expect(unexpected, 'model attributes without a matching column').to.deep.equal([]);
  });

  it('agree on every foreign key and its ON DELETE rule', async () => {
    const runtime = app.runtime;
    const fromModels = [
      ...new Set(
        Object.values(runtime.models)
          .flatMap((model) => modelForeignKeys(model as ModelStatic<Model>))
          .map(describeKey),
      ),
    ];
    const fromDatabase = (await foreignKeys(runtime.sequelize)).map(describeKey);
    const { missing, unexpected } = differences(fromDatabase, fromModels);
    expect(missing, 'foreign keys the models do not declare').to.deep.equal([]);
    expect(unexpected, 'model associations without a foreign key in the database').to.deep.equal([]);
  });

  it('stores emails case-insensitively unique', async () => {
    const runtime = app.runtime;
    const email = `Unique.${Date.now()}@Example.test`;
    await runtime.models.User.create({
      email,
      role: 'patient',
      passwordHash: null,
      lockedUntil: null,
      externalSubject: null,
      passwordChangedAt: null,
    });
    await runtime.sequelize
      .query(`INSERT INTO users (email, role) VALUES (lower($1), 'patient')`, { bind: [email.toUpperCase()] })
      .then(
        () => expect.fail('a second account with the same email in another case was accepted'),
        (error: Error) => expect(error.name).to.equal('SequelizeUniqueConstraintError'),
      );
  });

  // Migrations carry frozen copies of the domain's vocabularies; a change to a live list needs a migration.
  it('allows in each vocabulary column exactly the values the domain names', async () => {
    const runtime = app.runtime;
    const allowed = async (table: string, column: string) => {
      const [check] = await runtime.sequelize.query<{ definition: string }>(
        `SELECT pg_get_constraintdef(c.oid) AS definition
           FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
          WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND a.attname = $2 AND cardinality(c.conkey) = 1`,
        { bind: [table, column], type: QueryTypes.SELECT },
      );
      return [...(check?.definition ?? '').matchAll(/'([^']+)'::text/g)].map((match) => match[1]);
    };
    expect(await allowed('providers', 'specialty')).to.have.members([...SPECIALTIES]);
    expect(await allowed('consultations', 'specialty')).to.have.members([...SPECIALTIES]);
    expect(await allowed('consultations', 'status')).to.have.members([...CONSULTATION_STATUSES]);
    expect(await allowed('prescriptions', 'status')).to.have.members([...PRESCRIPTION_STATUSES]);
  });
});
