import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sharedRuntime } from '../../test/support/runtime';
import { useTestApp } from '../../test/support/test-app';

type Models = Awaited<ReturnType<typeof sharedRuntime>>['models'];

const newPatientAccount = (models: Models) =>
  models.User.create({
    email: `patient-${randomUUID()}@example.test`,
    role: 'patient',
    passwordHash: null,
    lockedUntil: null,
    externalSubject: null,
    passwordChangedAt: null,
  });

describe('the patient model', () => {
  const app = useTestApp();
  it('maps every field group between camelCase and snake_case through create, read, update and delete', async () => {
    const { models, sequelize } = app.runtime;
    const user = await newPatientAccount(models);
    const renewsAt = new Date('2027-01-31T00:00:00Z');
    await models.Patient.create({
      userId: user.id,
      givenName: 'Ada',
      familyName: 'Testperson',
      dateOfBirth: '1980-02-29',
      phone: '+1 555 0100',
      allergies: ['peanuts'],
      conditions: ['asthma'],
      medications: ['albuterol'],
      insurancePayer: 'Acme Health',
      insuranceMemberId: 'M-1',
      insuranceGroupNumber: 'G-1',
      subscriptionPlan: 'premium',
      subscriptionStatus: 'active',
      subscriptionRenewsAt: renewsAt,
    });

    const [row] = await sequelize.query<Record<string, unknown>>(
      'SELECT * FROM patients WHERE user_id = $1',
      {
        bind: [user.id],
        type: QueryTypes.SELECT,
      },
    );
    expect(row).to.include({
      given_name: 'Ada',
      family_name: 'Testperson',
      date_of_birth: '1980-02-29',
      insurance_payer: 'Acme Health',
      insurance_member_id: 'M-1',
      insurance_group_number: 'G-1',
      subscription_plan: 'premium',
      subscription_status: 'active',
      version: 1,
    });
    expect((row?.subscription_renews_at as Date).toISOString()).to.equal(renewsAt.toISOString());
    // Medical data is stored encrypted, never as the plain value.
    for (const column of ['allergies', 'conditions', 'medications']) {
      expect(row?.[column])
        .to.be.a('string')
        .and.match(/^v1\.dev\./);
      expect(row?.[column]).not.to.include('peanuts').and.not.include('asthma').and.not.include('albuterol');
    }

    const read = await models.Patient.findByPk(user.id);
    expect(read?.allergies).to.deep.equal(['peanuts']);
    expect(read?.medications).to.deep.equal(['albuterol']);

    await read!.update({
      conditions: ['asthma', 'eczema'],
      insurancePayer: 'Other Health',
      subscriptionStatus: 'past_due',
    });
    const updated = await models.Patient.findByPk(user.id);
    expect(updated?.conditions).to.deep.equal(['asthma', 'eczema']);
    expect(updated?.insurancePayer).to.equal('Other Health');
    expect(updated?.subscriptionStatus).to.equal('past_due');
    expect(updated?.version).to.equal(2);

    await user.destroy();
    expect(await models.Patient.findByPk(user.id)).to.equal(null);
  });

  it('refuses values the schema forbids, at the model and in the database', async () => {
    const { models, sequelize } = app.runtime;
    const user = await newPatientAccount(models);
    const invalid = {
      userId: user.id,
      givenName: 'Ada',
      familyName: 'Testperson',
      dateOfBirth: '1980-01-01',
      phone: null,
      allergies: null,
      conditions: null,
      medications: null,
      insurancePayer: null,
      insuranceMemberId: null,
      insuranceGroupNumber: null,
      subscriptionRenewsAt: null,
    };
    await models.Patient.create({ ...invalid, subscriptionPlan: 'platinum' as 'free' }).then(
      () => expect.fail('an unknown plan was accepted'),
      (error: Error) => expect(error.name).to.equal('SequelizeValidationError'),
    );
    await sequelize
      .query(
        `INSERT INTO patients (user_id, given_name, family_name, date_of_birth, subscription_plan) VALUES ($1, 'A', 'B', '1980-01-01', 'platinum')`,
        {
          bind: [user.id],
        },
      )
      .then(
        () => expect.fail('the database accepted an unknown plan'),
        (error: Error) => expect(error.message).to.include('check constraint'),
      );
  });
});
