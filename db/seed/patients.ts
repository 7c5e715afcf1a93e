import { sealJson } from '../../service/src/platform/field-cipher';
import { accountRow, seedEmail } from './accounts';
import type { SeedContext } from './context';
import { between, DAY_MS, HOUR_MS } from './random';
import type { PatientRow, UserRow } from './tables';
import {
  ALLERGIES,
  CHILDHOOD_CONDITIONS,
  CONDITIONS,
  CURRENT_MEDICATIONS,
  INSURANCE_PAYERS,
} from './vocabulary';

export interface SeededPatient {
  readonly account: UserRow;
  readonly profile: PatientRow;
  readonly age: number;
  readonly signedUpAt: Date;
}

const ACCOUNT_HISTORY_DAYS = 730;
const plans = [
  { weight: 60, value: 'free' },
  { weight: 25, value: 'basic' },
  { weight: 15, value: 'premium' },
];
const subscriptionStates = [
  { weight: 90, value: 'active' },
  { weight: 6, value: 'past_due' },
  { weight: 4, value: 'cancelled' },
];

/** A medical list as a person fills it in: sometimes left blank (null), often "none" (empty), or a few items. */
function medicalList(context: SeedContext, vocabulary: readonly string[], max: number): string | null {
  const { faker } = context.random;
  if (faker.datatype.boolean(0.1)) return null;
  return sealJson(context.cipher, faker.helpers.arrayElements(vocabulary, { min: 0, max }));
}

function insurance(
  context: SeedContext,
): Pick<PatientRow, 'insurance_payer' | 'insurance_member_id' | 'insurance_group_number'> {
  const { faker } = context.random;
  if (faker.datatype.boolean(0.25))
    return { insurance_payer: null, insurance_member_id: null, insurance_group_number: null };
  return {
    insurance_payer: faker.helpers.arrayElement(INSURANCE_PAYERS),
    insurance_member_id: faker.string.alphanumeric({ length: 11, casing: 'upper' }),
    insurance_group_number: faker.string.numeric(6),
  };
}

function subscription(
  context: SeedContext,
): Pick<PatientRow, 'subscription_plan' | 'subscription_status' | 'subscription_renews_at'> {
  const { faker } = context.random;
  const plan = faker.helpers.weightedArrayElement(plans);
  if (plan === 'free')
    return { subscription_plan: plan, subscription_status: 'active', subscription_renews_at: null };
  const end = context.options.end;
  return {
    subscription_plan: plan,
    subscription_status: faker.helpers.weightedArrayElement(subscriptionStates),
    subscription_renews_at: between(faker, end, new Date(end.getTime() + 30 * DAY_MS)),
  };
}

function generatePatient(context: SeedContext, index: number): SeededPatient {
  const { faker, ids } = context.random;
  const { end, runTag } = context.options;
  const sex = faker.person.sexType();
  // Mostly adults; about one account in eight is a child's, looked after by a parent.
  const age = faker.datatype.boolean(0.12)
    ? faker.number.int({ min: 0, max: 17 })
    : faker.number.int({ min: 18, max: 90 });
  const birthDate = faker.date.birthdate({ mode: 'age', min: age, max: age, refDate: end });
  const signedUpAt = between(
    faker,
    new Date(end.getTime() - ACCOUNT_HISTORY_DAYS * DAY_MS),
    new Date(end.getTime() - HOUR_MS),
  );
  const id = ids.string.uuid();
  return {
    age,
    signedUpAt,
    account: accountRow(id, 'patient', seedEmail('patient', index, runTag), context.passwordHash, signedUpAt),
    profile: {
      user_id: id,
      given_name: faker.person.firstName(sex),
      family_name: faker.person.lastName(),
      date_of_birth: birthDate.toISOString().slice(0, 10),
      phone: faker.datatype.boolean(0.85) ? faker.phone.number({ style: 'national' }) : null,
      allergies: medicalList(context, ALLERGIES, 3),
      conditions: medicalList(context, age < 18 ? CHILDHOOD_CONDITIONS : CONDITIONS, age < 40 ? 2 : 4),
      medications: medicalList(context, CURRENT_MEDICATIONS, age < 40 ? 1 : 4),
      ...insurance(context),
      ...subscription(context),
      created_at: signedUpAt,
      updated_at: signedUpAt,
    },
  };
}

export function generatePatients(context: SeedContext): SeededPatient[] {
  return Array.from({ length: context.options.patients }, (_, index) => generatePatient(context, index));
}
