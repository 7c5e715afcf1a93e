import { SPECIALTIES, type Specialty } from '../../service/src/providers/model';
import { accountRow, seedEmail } from './accounts';
import type { SeedContext } from './context';
import { between, DAY_MS } from './random';
import type { ProviderRow, UserRow } from './tables';

export interface SeededProvider {
  readonly account: UserRow;
  readonly profile: ProviderRow & { specialty: Specialty };
}

/** How a telehealth roster is usually spread: many generalists and urgent care, few sub-specialists. */
const SPECIALTY_SHARE: Record<Specialty, number> = {
  general_practice: 30,
  urgent_care: 20,
  psychiatry: 12,
  dermatology: 10,
  pediatrics: 10,
  womens_health: 8,
  cardiology: 5,
  endocrinology: 5,
};
const specialtyChoices = SPECIALTIES.map((value) => ({ weight: SPECIALTY_SHARE[value], value }));
const availabilityChoices = [
  { weight: 45, value: 'available' },
  { weight: 20, value: 'busy' },
  { weight: 35, value: 'offline' },
];
const CREDENTIALS = ['MD', 'DO', 'NP', 'PA'] as const;

function generateProvider(context: SeedContext, index: number): SeededProvider {
  const { faker, ids } = context.random;
  const { end, days, runTag } = context.options;
  // The first providers cover every specialty once, so even a small roster can serve every queue.
  const specialty = SPECIALTIES[index] ?? faker.helpers.weightedArrayElement(specialtyChoices);
  const credential = faker.helpers.arrayElement(CREDENTIALS);
  const name = `${faker.person.firstName()} ${faker.person.lastName()}`;
  // On the roster before the first consultation of the window.
  const joinedAt = between(
    faker,
    new Date(end.getTime() - (days + 900) * DAY_MS),
    new Date(end.getTime() - (days + 1) * DAY_MS),
  );
  const id = ids.string.uuid();
  return {
    account: accountRow(id, 'provider', seedEmail('provider', index, runTag), context.passwordHash, joinedAt),
    profile: {
      user_id: id,
      display_name:
        credential === 'MD' || credential === 'DO' ? `Dr. ${name}, ${credential}` : `${name}, ${credential}`,
      // Drawn from the run's identity source: licence numbers are unique per state across runs too.
      license_number: ids.string.alphanumeric({ length: 9, casing: 'upper' }),
      license_state: faker.location.state({ abbreviated: true }),
      specialty,
      accepting_patients: faker.datatype.boolean(0.9),
      availability: faker.helpers.weightedArrayElement(availabilityChoices),
      created_at: joinedAt,
      updated_at: joinedAt,
    },
  };
}

export function generateProviders(context: SeedContext): SeededProvider[] {
  return Array.from({ length: context.options.providers }, (_, index) => generateProvider(context, index));
}
