import { cases as admin } from './admin';
import { cases as audit } from './audit';
import { cases as consultations } from './consultations';
import { cases as patients } from './patients';
import { cases as prescriptions } from './prescriptions';
import { cases as providers } from './providers';
import type { PhiRouteCase } from './types';

/** Every feature's PHI route cases; a feature with PHI routes adds its file here. */
export const phiRouteCases: readonly PhiRouteCase[] = [
  ...admin,
  ...audit,
  ...consultations,
  ...patients,
  ...prescriptions,
  ...providers,
];
