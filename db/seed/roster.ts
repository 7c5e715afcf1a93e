import type { Specialty } from '../../service/src/providers/model';
import type { SeedContext } from './context';
import type { SeededProvider } from './providers';

/** What people ask for, relative: adults mostly see generalists; children mostly paediatricians. */
const ADULT_DEMAND: Partial<Record<Specialty, number>> = {
  general_practice: 34,
  urgent_care: 26,
  psychiatry: 12,
  dermatology: 10,
  womens_health: 8,
  cardiology: 5,
  endocrinology: 5,
};
const CHILD_DEMAND: Partial<Record<Specialty, number>> = { pediatrics: 70, urgent_care: 20, dermatology: 10 };

/** Assigns providers by specialty, never giving one provider two visits in progress at once. */
export class Roster {
  private readonly bySpecialty = new Map<Specialty, SeededProvider[]>();
  private readonly inProgress = new Set<string>();

  constructor(providers: readonly SeededProvider[]) {
    for (const provider of providers) {
      const list = this.bySpecialty.get(provider.profile.specialty) ?? [];
      list.push(provider);
      this.bySpecialty.set(provider.profile.specialty, list);
    }
  }

  /** What a patient of this age asks for, among the specialties somebody on the roster practises. */
  demandFor(age: number): { weight: number; value: Specialty }[] {
    const demand = Object.entries(age < 18 ? CHILD_DEMAND : ADULT_DEMAND) as [Specialty, number][];
    const staffed = demand.filter(([specialty]) => this.bySpecialty.has(specialty));
    const choices =
      staffed.length > 0 ? staffed : [...this.bySpecialty.keys()].map((specialty) => [specialty, 1] as const);
    return choices.map(([value, weight]) => ({ weight, value }));
  }

  /**
   * A provider of the specialty for an accepted request; for a visit in progress, one not already in a
   * visit, or null when all of them are (the request is then still waiting for somebody).
   */
  pick(context: SeedContext, specialty: Specialty, inProgress: boolean): string | null {
    const all = this.bySpecialty.get(specialty) ?? [];
    const free = inProgress ? all.filter((provider) => !this.inProgress.has(provider.profile.user_id)) : all;
    if (free.length === 0) return null;
    const chosen = context.random.faker.helpers.arrayElement(free).profile.user_id;
    if (inProgress) this.inProgress.add(chosen);
    return chosen;
  }

  /** Providers in a visit right now show as busy. */
  markBusy(providers: SeededProvider[]): void {
    for (const provider of providers)
      if (this.inProgress.has(provider.profile.user_id)) provider.profile.availability = 'busy';
  }
}
